// One app API per test file, in-process, on its own PostgreSQL database,
// Redis, MongoDB database and S3 bucket, listening on a free loopback port
// and called over real HTTP.

import { randomBytes } from 'node:crypto';

import type { S3Client } from '@aws-sdk/client-s3';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Db, MongoClient } from 'mongodb';

import { createApp, type App } from '../../../app-api/createApp.ts';
import type { Database, UserRole } from '../../../app-api/db/Database.ts';
import { migrateToLatest } from '../../../app-api/db/migrate.ts';
import { createUser } from '../../../app-api/users/createUser.ts';
import { createMongoClient } from '../../../common/clients/mongo.ts';
import { createKysely } from '../../../common/clients/postgres.ts';
import { createRedis } from '../../../common/clients/redis.ts';
import { createS3Client } from '../../../common/clients/s3.ts';
import type { Config } from '../../../common/config.ts';
import { createLogger } from '../../../common/logger.ts';
import { OpsServer } from '../../../common/OpsServer.ts';
import { createTestResources, type TestResources } from '../../support/resources.ts';

export interface Reply<T = Record<string, unknown>> {
	status: number;
	body: T;
	headers: Headers;
}

export interface CallOptions {
	token?: string;
	/** Sent as JSON unless `raw` is given. */
	body?: unknown;
	/** Sent as is, with `contentType`. */
	raw?: string;
	contentType?: string;
}

export interface Account {
	id: string;
	email: string;
	displayName: string;
	token: string;
}

export const PASSWORD = 'correct horse battery staple';

export class AppHarness {
	readonly resources: TestResources;
	readonly db: Kysely<Database>;
	readonly redis: Redis;
	readonly mongo: Db;
	readonly s3: S3Client;
	readonly app: App;
	readonly url: string;
	readonly #mongoClient: MongoClient;

	private constructor(fields: {
		resources: TestResources;
		db: Kysely<Database>;
		redis: Redis;
		mongoClient: MongoClient;
		s3: S3Client;
		app: App;
		url: string;
	}) {
		this.resources = fields.resources;
		this.db = fields.db;
		this.redis = fields.redis;
		this.#mongoClient = fields.mongoClient;
		this.mongo = fields.mongoClient.db(fields.resources.mongoDatabase);
		this.s3 = fields.s3;
		this.app = fields.app;
		this.url = fields.url;
	}

	/** Starts an app; `adjust` changes the configuration (token lifetime, keys, limits). */
	static async start(adjust: (config: Config) => Config = (config) => config): Promise<AppHarness> {
		const resources = await createTestResources();
		const config = adjust(resources.config);
		const logger = createLogger('app-api', 'silent');
		const db = createKysely<Database>(resources.databaseUrl, 4);

		await migrateToLatest(db);

		const redis = createRedis(resources.redisUrl);
		const mongoClient = createMongoClient(resources.mongoUrl);
		const s3 = createS3Client(config.s3);
		const app = await createApp({
			config,
			logger,
			ops: new OpsServer('app-api', logger),
			db,
			redis,
			mongo: mongoClient.db(resources.mongoDatabase),
			s3,
		});
		const url = await app.listen({ port: 0, host: '127.0.0.1' });

		return new AppHarness({ resources, db, redis, mongoClient, s3, app, url });
	}

	async close(): Promise<void> {
		await this.app.close();
		await this.mongo.dropDatabase();
		await this.#mongoClient.close();
		this.redis.disconnect();
		this.s3.destroy();
		await this.db.destroy();
		await this.resources.release();
	}

	async call<T = Record<string, unknown>>(
		method: string,
		path: string,
		options: CallOptions = {},
	): Promise<Reply<T>> {
		const headers: Record<string, string> = {};
		let body: string | undefined;

		if (options.token !== undefined) {
			headers.authorization = `Bearer ${options.token}`;
		}

		if (options.raw !== undefined) {
			body = options.raw;
			headers['content-type'] = options.contentType ?? 'application/json';
		} else if (options.body !== undefined) {
			body = JSON.stringify(options.body);
			headers['content-type'] = 'application/json';
		}

		const response = await fetch(`${this.url}${path}`, { method, headers, body });
		const text = await response.text();

		return {
			status: response.status,
			body: (text === '' ? {} : JSON.parse(text)) as T,
			headers: response.headers,
		};
	}

	/** An account of any role, made directly (as an operator would), logged in. */
	async account(role: UserRole, displayName = `${role} ${randomBytes(3).toString('hex')}`) {
		const email = `${randomBytes(6).toString('hex')}@example.test`;
		const user = await createUser(this.db, { email, password: PASSWORD, displayName, role });
		const login = await this.call<{ token: string }>('POST', '/auth/login', {
			body: { email, password: PASSWORD },
		});

		if (login.status !== 200) {
			throw new Error(`login failed with ${login.status}`);
		}

		return { id: user.id, email, displayName, token: login.body.token } satisfies Account;
	}

	/** A class scheduled by a teacher an hour from now. */
	async scheduleClass(teacher: Account, title = 'Algebra'): Promise<{ id: string }> {
		const reply = await this.call<{ id: string }>('POST', '/classes', {
			token: teacher.token,
			body: {
				title,
				startsAt: new Date(Date.now() + 3_600_000).toISOString(),
				durationMinutes: 60,
			},
		});

		if (reply.status !== 201) {
			throw new Error(`scheduling failed with ${reply.status}: ${JSON.stringify(reply.body)}`);
		}

		return reply.body;
	}
}
