import { Migrator, type Kysely } from 'kysely';

import { migrations } from '../migrations/index.ts';

/** Brings the schema to the newest migration; throws with the failing one's name. */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<string[]> {
	const migrator = new Migrator({
		db,
		provider: { getMigrations: () => Promise.resolve(migrations) },
	});
	const { error, results = [] } = await migrator.migrateToLatest();
	const failed = results.find((result) => result.status === 'Error');

	if (error !== undefined) {
		const cause = error instanceof Error ? error.message : 'unknown error';

		throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${cause}`, {
			cause: error,
		});
	}

	return results
		.filter((result) => result.status === 'Success')
		.map((result) => result.migrationName);
}
