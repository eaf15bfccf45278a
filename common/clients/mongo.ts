import { MongoClient } from 'mongodb';

import { ConfigError } from '../ConfigError.ts';
import { describeError } from './describeError.ts';
import { redactUrl } from '../redactUrl.ts';

/** A MongoDB client; FerretDB in development and tests, MongoDB in production. */
export function createMongoClient(url: string): MongoClient {
	return new MongoClient(url, { serverSelectionTimeoutMS: 5000, appName: 'live-classroom' });
}

/** Connects once and pings, or throws a ConfigError naming the setting. */
export async function probeMongo(url: string, setting = 'MONGODB_URL'): Promise<void> {
	const client = new MongoClient(url, { serverSelectionTimeoutMS: 3000 });

	try {
		await client.connect();
		await client.db('admin').command({ ping: 1 });
	} catch (error) {
		throw new ConfigError(
			setting,
			`cannot reach MongoDB at ${redactUrl(url)}: ${describeError(error)}`,
		);
	} finally {
		await client.close().catch(() => undefined);
	}
}
