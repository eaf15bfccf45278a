// The signaling process: the socket.io edge every page connects to, with its
// health and metrics on the same port, the built pages, and the live media
// path (mediasoup workers run in this process; see README "Live media") with
// its HLS bridge and origin (README "HLS for the audience").
// The class protocol (chat, stage, polls) is built on this.

import { createServer } from 'node:http';
import { join } from 'node:path';

import { Server } from 'socket.io';

import { createRedis, probeRedis } from '../common/clients/redis.ts';
import { required } from '../common/config.ts';
import { listen } from '../common/listen.ts';
import { runService } from '../common/runService.ts';
import { HlsBridge } from '../hls-bridge/HlsBridge.ts';
import { createOriginHandler } from '../hls-bridge/Origin.ts';
import { webBuildDir } from '../web/paths.ts';
import { authenticate } from './authenticate.ts';
import { hlsUpload } from './media/hlsUpload.ts';
import { servePages } from './media/servePages.ts';
import { startMedia } from './media/startMedia.ts';

await runService('signaling', async ({ config, logger, ops }) => {
	const redisUrl = required(config.redis.url, 'REDIS_URL');

	await probeRedis(redisUrl);

	const redis = createRedis(redisUrl);

	redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
	ops.addCheck('redis', async () => {
		await redis.ping();
	});

	const pages = servePages(webBuildDir);
	const hlsDir = join(config.dataDir, 'hls');
	const origin = createOriginHandler(hlsDir);
	const server = createServer((req, res) => {
		if (ops.handle(req, res) || origin(req, res)) {
			return;
		}

		void pages(req, res).then((served) => {
			if (!served) {
				res.writeHead(404, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ error: { code: 'not_found', message: 'no such path' } }));
			}
		});
	});
	// NOTE: the transport limit sits well above every event's own limit
	// (defineHandler), so an oversized message gets payload_too_large and the
	// socket stays; a message over this one disconnects it.
	const io = new Server(server, { serveClient: false, maxHttpBufferSize: 2 * 1024 * 1024 });

	authenticate(io, required(config.joinTokens.keys, 'JOIN_TOKEN_KEYS'), logger);

	const media = await startMedia(
		io,
		redis,
		{
			workers: config.sfu.workers,
			rtcPortBase: config.sfu.rtcPortBase,
			listenIp: '0.0.0.0',
			announcedIp: config.sfu.announcedIp,
		},
		logger,
		ops,
	);

	const hls = new HlsBridge({
		control: media.control,
		rootDir: hlsDir,
		...config.hls,
		s3: await hlsUpload(config, logger),
		logger,
	});
	const port = await listen(server, config.signaling.port, 'SIGNALING_PORT');

	return {
		listening: {
			socketio: `http://${config.publicHost}:${port}`,
			webrtc: media.pool.workers.map((slot) => `${config.sfu.announcedIp}:${slot.port}`).join(', '),
		},
		close: async () => {
			await io.close();
			await hls.close();
			await media.close();
			redis.disconnect();
		},
	};
});
