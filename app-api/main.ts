// The app API process: migrations, then the HTTP API with /healthz and
// /metrics on the same port.

import { sql } from 'kysely';

import { createMongoClient, probeMongo } from '../common/clients/mongo.ts';
import { createKysely, probePostgres } from '../common/clients/postgres.ts';
import { createRedis, probeRedis } from '../common/clients/redis.ts';
import { createS3Client, probeS3 } from '../common/clients/s3.ts';
import { required } from '../common/config.ts';
import { ensureAnalyticsIndex } from '../common/events/AnalyticsEvent.ts';
import { ConfigError } from '../common/ConfigError.ts';
import { runService } from '../common/runService.ts';
import { createApp } from './createApp.ts';
import type { Database } from './db/Database.ts';
import { migrateToLatest } from './db/migrate.ts';

await runService('app-api', async ({ config, logger, ops }) => {
	const databaseUrl = required(config.postgres.url, 'DATABASE_URL');
	const redisUrl = required(config.redis.url, 'REDIS_URL');
	const mongoUrl = required(config.mongo.url, 'MONGODB_URL');

	required(config.joinTokens.keys, 'JOIN_TOKEN_KEYS');
	await Promise.all([
		probePostgres(databaseUrl),
		probeRedis(redisUrl),
		probeMongo(mongoUrl),
		probeS3(config.s3),
	]);

	const db = createKysely<Database>(databaseUrl, 20);
	const applied = await migrateToLatest(db);

	logger.info({ applied }, 'schema up to date');

	const redis = createRedis(redisUrl);
	const mongoClient = createMongoClient(mongoUrl);
	const s3 = createS3Client(config.s3);
	const mongo = mongoClient.db(config.mongo.database);

	await ensureAnalyticsIndex(mongo);

	ops.addCheck('postgres', async () => {
		await sql`SELECT 1`.execute(db);
	});
	ops.addCheck('redis', async () => {
		await redis.ping();
	});
	ops.addCheck('mongo', async () => {
		await mongo.command({ ping: 1 });
	});

	const app = await createApp({ config, logger, ops, db, redis, mongo, s3 });
	const address = await app
		.listen({ port: config.appApi.port, host: '0.0.0.0' })
		.catch((error: unknown) => {
			const code = (error as NodeJS.ErrnoException).code;

			throw code === 'EADDRINUSE' || code === 'EACCES'
				? new ConfigError('APP_API_PORT', `cannot listen on port ${config.appApi.port} (${code})`)
				: error;
		});

	return {
		listening: { http: address.replace('0.0.0.0', config.publicHost) },
		close: async () => {
			await app.close();
			s3.destroy();
			await mongoClient.close();
			redis.disconnect();
			await db.destroy();
		},
	};
});
