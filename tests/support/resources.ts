// Resources of one test file on the shared local stack: its own PostgreSQL
// database, Redis key prefix, MongoDB database and S3 bucket, so files run in
// parallel without seeing each other. Each is removed by `release()`.

import { randomBytes } from 'node:crypto';

import {
	DeleteBucketCommand,
	DeleteObjectsCommand,
	ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import pg from 'pg';

import { createS3Client, ensureBucket } from '../../common/clients/s3.ts';
import { loadConfig, required, type Config } from '../../common/config.ts';

export interface TestResources {
	config: Config;
	/** A fresh, empty database on the stack's PostgreSQL. */
	databaseUrl: string;
	redisUrl: string;
	/** Prefix every Redis key of this file with it. */
	redisPrefix: string;
	mongoUrl: string;
	mongoDatabase: string;
	/** A fresh, empty bucket; config.s3.bucket names it too. */
	bucket: string;
	release(): Promise<void>;
}

export async function createTestResources(): Promise<TestResources> {
	const base = loadConfig();
	const id = randomBytes(4).toString('hex');
	const adminUrl = required(base.postgres.url, 'DATABASE_URL');
	const database = `test_${id}`;

	await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${database}`));

	const databaseUrl = new URL(adminUrl);

	databaseUrl.pathname = `/${database}`;

	const bucket = `test-${id}`;
	const config: Config = {
		...base,
		postgres: { url: databaseUrl.toString() },
		mongo: { ...base.mongo, database: `test_${id}` },
		s3: { ...base.s3, bucket },
	};
	const s3 = createS3Client(config.s3);

	await ensureBucket(s3, bucket);

	return {
		config,
		databaseUrl: databaseUrl.toString(),
		redisUrl: required(base.redis.url, 'REDIS_URL'),
		redisPrefix: `test:${id}:`,
		mongoUrl: required(base.mongo.url, 'MONGODB_URL'),
		mongoDatabase: config.mongo.database,
		bucket,
		release: async () => {
			await emptyBucket(s3, bucket);
			await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
			s3.destroy();
			await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE ${database} WITH (FORCE)`));
		},
	};
}

async function withAdmin(
	url: string,
	work: (client: pg.Client) => Promise<unknown>,
): Promise<void> {
	const client = new pg.Client({ connectionString: url });

	await client.connect();
	try {
		await work(client);
	} finally {
		await client.end();
	}
}

async function emptyBucket(s3: ReturnType<typeof createS3Client>, bucket: string): Promise<void> {
	for (;;) {
		const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
		const keys = (listed.Contents ?? []).flatMap((object) =>
			object.Key === undefined ? [] : [{ Key: object.Key }],
		);

		if (keys.length === 0) {
			return;
		}

		await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
	}
}
