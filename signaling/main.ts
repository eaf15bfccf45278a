// The signaling process: the socket.io edge every page connects to, with its
// health and metrics on the same port. The class protocol (join, media,
// chat, stage, polls) is built on this.

import { createServer } from 'node:http';

import { Server } from 'socket.io';

import { createRedis, probeRedis } from '../common/clients/redis.ts';
import { required } from '../common/config.ts';
import { listen } from '../common/listen.ts';
import { runService } from '../common/runService.ts';
import { authenticate } from './authenticate.ts';

await runService('signaling', async ({ config, logger, ops }) => {
	const redisUrl = required(config.redis.url, 'REDIS_URL');

	await probeRedis(redisUrl);

	const redis = createRedis(redisUrl);

	redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
	ops.addCheck('redis', async () => {
		await redis.ping();
	});

	const server = createServer((req, res) => {
		if (!ops.handle(req, res)) {
			res.writeHead(404, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ error: { code: 'not_found', message: 'no such path' } }));
		}
	});
	const io = new Server(server, { serveClient: false, maxHttpBufferSize: 64 * 1024 });

	authenticate(io, required(config.joinTokens.keys, 'JOIN_TOKEN_KEYS'), logger);
	const port = await listen(server, config.signaling.port, 'SIGNALING_PORT');

	return {
		listening: { socketio: `http://${config.publicHost}:${port}` },
		close: async () => {
			await io.close();
			redis.disconnect();
		},
	};
});
