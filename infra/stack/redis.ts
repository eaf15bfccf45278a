import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { Redis } from 'ioredis';

import { ManagedProcess } from './ManagedProcess.ts';
import type { ServerOptions, StartedServer } from './ServerOptions.ts';

export async function startRedis(options: ServerOptions): Promise<StartedServer> {
	const dataDir = join(options.dir, 'redis');

	mkdirSync(dataDir, { recursive: true });

	const url = `redis://127.0.0.1:${options.port}`;
	const server = await ManagedProcess.start({
		name: 'redis',
		command: '/usr/bin/redis-server',
		args: [
			'--bind',
			'127.0.0.1',
			'--port',
			String(options.port),
			'--dir',
			dataDir,
			'--daemonize',
			'no',
			'--save',
			'',
			'--appendonly',
			options.durable ? 'yes' : 'no',
			'--appendfsync',
			'everysec',
		],
		logFile: join(options.dir, 'logs', 'redis.log'),
		pidFile: join(options.dir, 'run', 'redis.pid'),
		ready: async () => {
			const redis = new Redis(url, {
				lazyConnect: true,
				maxRetriesPerRequest: 0,
				retryStrategy: () => null,
			});

			// Refusals before the server listens are expected; connect() reports them.
			redis.on('error', () => undefined);

			try {
				await redis.connect();
				await redis.ping();
			} finally {
				redis.disconnect();
			}
		},
	});

	return { process: server, env: { REDIS_URL: url }, address: `127.0.0.1:${options.port}` };
}
