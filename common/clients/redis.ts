import { Redis } from 'ioredis';

import { ConfigError } from '../ConfigError.ts';
import { describeError } from './describeError.ts';
import { redactUrl } from '../redactUrl.ts';

/** A Redis connection that retries forever with a capped backoff. */
export function createRedis(url: string, options: { keyPrefix?: string } = {}): Redis {
	return new Redis(url, {
		...options,
		maxRetriesPerRequest: null,
		retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
	});
}

/** Connects once and sends PING, or throws a ConfigError naming the setting. */
export async function probeRedis(url: string, setting = 'REDIS_URL'): Promise<void> {
	const redis = new Redis(url, {
		lazyConnect: true,
		connectTimeout: 3000,
		maxRetriesPerRequest: 0,
		retryStrategy: () => null,
	});
	// The socket's own error says more than the rejected command's.
	let socketError: unknown;

	redis.on('error', (error) => {
		socketError = error;
	});

	try {
		await redis.connect();
		await redis.ping();
	} catch (error) {
		throw new ConfigError(
			setting,
			`cannot reach Redis at ${redactUrl(url)}: ${describeError(socketError ?? error)}`,
		);
	} finally {
		redis.disconnect();
	}
}
