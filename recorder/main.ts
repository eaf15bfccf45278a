// The recorder process: records every live class of this deployment to S3,
// driven by the class lifecycle messages on Redis.

import { join } from 'node:path';

import { sql } from 'kysely';

import type { Database } from '../app-api/db/Database.ts';
import { migrateToLatest } from '../app-api/db/migrate.ts';
import { createMongoClient, probeMongo } from '../common/clients/mongo.ts';
import { createKysely, probePostgres } from '../common/clients/postgres.ts';
import { createRedis, probeRedis } from '../common/clients/redis.ts';
import { createS3Client, ensureBucket, probeS3 } from '../common/clients/s3.ts';
import { required } from '../common/config.ts';
import {
	CLASS_LIFECYCLE_CHANNEL,
	parseClassLifecycleEvent,
} from '../common/events/ClassLifecycle.ts';
import { runService } from '../common/runService.ts';
import { SdpFileProgramSource, type ProgramSource } from './ProgramSource.ts';
import { SfuProgramSource } from './SfuProgramSource.ts';
import { Recorder } from './Recorder.ts';
import { Timeline } from './Timeline.ts';

await runService('recorder', async ({ config, logger, ops }) => {
	const databaseUrl = required(config.postgres.url, 'DATABASE_URL');
	const redisUrl = required(config.redis.url, 'REDIS_URL');
	const mongoUrl = required(config.mongo.url, 'MONGODB_URL');

	await Promise.all([
		probePostgres(databaseUrl),
		probeRedis(redisUrl),
		probeMongo(mongoUrl),
		probeS3(config.s3),
	]);

	const db = createKysely<Database>(databaseUrl, 5);
	const s3 = createS3Client(config.s3);
	const subscriber = createRedis(redisUrl);
	const redis = createRedis(redisUrl, { keyPrefix: config.signaling.redisPrefix });
	const mongoClient = createMongoClient(mongoUrl);
	const timeline = new Timeline(mongoClient.db(config.mongo.database));
	const { programSdpDir } = config.recorder;

	// The app API may not have migrated yet when both start; kysely's
	// migrator locks, so whichever comes first applies them.
	await migrateToLatest(db);
	await ensureBucket(s3, config.s3.bucket);
	await timeline.ensureIndex();

	const source: ProgramSource =
		programSdpDir === undefined
			? new SfuProgramSource({
					redis,
					subscriber,
					prefix: config.signaling.redisPrefix,
					host: config.recorder.rtpHost,
					logger,
				})
			: new SdpFileProgramSource(programSdpDir);

	for (const client of [redis, subscriber]) {
		client.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
	}

	await source.start();

	const recorder = new Recorder({
		db,
		s3,
		bucket: config.s3.bucket,
		dir: join(config.dataDir, 'recordings'),
		segmentSeconds: config.recorder.segmentSeconds,
		videoHeight: config.recorder.videoHeight,
		keepSegments: config.recorder.keepSegments,
		timeline,
		source,
		registry: ops.registry,
		logger,
	});

	ops.addCheck('postgres', async () => {
		await sql`SELECT 1`.execute(db);
	});
	ops.addCheck('redis', async () => {
		await subscriber.ping();
	});

	// Subscribe before resuming, so a class that starts meanwhile is not missed;
	// the recorder ignores a start it already handles.
	subscriber.on('message', (channel: string, message: string) => {
		if (channel !== CLASS_LIFECYCLE_CHANNEL) {
			return;
		}

		try {
			void recorder.handle(parseClassLifecycleEvent(message));
		} catch (error) {
			logger.warn({ err: error }, 'ignoring a malformed lifecycle message');
		}
	});
	await subscriber.subscribe(CLASS_LIFECYCLE_CHANNEL);
	await recorder.start();

	const port = await ops.listen(config.recorder.opsPort, 'RECORDER_OPS_PORT');

	return {
		listening: { ops: `http://${config.publicHost}:${port}` },
		close: async () => {
			await subscriber.unsubscribe(CLASS_LIFECYCLE_CHANNEL);
			await recorder.close();
			await source.close();
			subscriber.disconnect();
			redis.disconnect();
			s3.destroy();
			await mongoClient.close();
			await db.destroy();
		},
	};
});
