// The app API process. For now: the schema migrations, health and metrics;
// the routes for users, classes, enrollment, payments and join tokens are
// built on this.

import { createServer } from 'node:http';

import { sql } from 'kysely';

import { createKysely, probePostgres } from '../common/clients/postgres.ts';
import { required } from '../common/config.ts';
import { listen } from '../common/listen.ts';
import { runService } from '../common/runService.ts';
import type { Database } from './db/Database.ts';
import { migrateToLatest } from './db/migrate.ts';

await runService('app-api', async ({ config, logger, ops }) => {
	const databaseUrl = required(config.postgres.url, 'DATABASE_URL');

	await probePostgres(databaseUrl);

	const db = createKysely<Database>(databaseUrl);
	const applied = await migrateToLatest(db);

	logger.info({ applied }, 'schema up to date');
	ops.addCheck('postgres', async () => {
		await sql`SELECT 1`.execute(db);
	});

	const server = createServer((req, res) => {
		if (!ops.handle(req, res)) {
			res.writeHead(404, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ error: { code: 'not_found', message: 'no such route' } }));
		}
	});
	const port = await listen(server, config.appApi.port, 'APP_API_PORT');

	return {
		listening: { http: `http://${config.publicHost}:${port}` },
		close: async () => {
			await new Promise<void>((resolve) => server.close(() => resolve()));
			await db.destroy();
		},
	};
});
