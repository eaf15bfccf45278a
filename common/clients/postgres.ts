import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

import { ConfigError } from '../ConfigError.ts';
import { redactUrl } from '../redactUrl.ts';
import { describeError } from './describeError.ts';
import { namingPool } from './preparedQuery.ts';

/** A pooled connection to PostgreSQL. */
export function createPostgresPool(url: string, max = 10): pg.Pool {
	return new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5000 });
}

/**
 * A kysely instance over its own pool; destroying it closes the pool. Its
 * queries made with prepareQuery() run as named prepared statements.
 */
export function createKysely<Database>(url: string, max = 10): Kysely<Database> {
	return new Kysely<Database>({
		dialect: new PostgresDialect({ pool: namingPool(createPostgresPool(url, max)) }),
	});
}

/** Connects once and runs `SELECT 1`, or throws a ConfigError naming the setting. */
export async function probePostgres(url: string, setting = 'DATABASE_URL'): Promise<void> {
	const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });

	try {
		await client.connect();
		await client.query('SELECT 1');
	} catch (error) {
		throw new ConfigError(
			setting,
			`cannot reach PostgreSQL at ${redactUrl(url)}: ${describeError(error)}`,
		);
	} finally {
		await client.end().catch(() => undefined);
	}
}
