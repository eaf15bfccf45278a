// The signaling process: the socket.io edge every page connects to, with its
// health and metrics on the same port. See createSignalingServer.ts.

import { probeRedis } from '../common/clients/redis.ts';
import { required } from '../common/config.ts';
import { runService } from '../common/runService.ts';
import { createSignalingServer } from './createSignalingServer.ts';

await runService('signaling', async ({ config, logger, ops }) => {
	await probeRedis(required(config.redis.url, 'REDIS_URL'));

	const server = await createSignalingServer({ config, logger, ops });

	return {
		listening: {
			socketio: `http://${config.publicHost}:${server.port}`,
			webrtc: server.media.pool.workers
				.map((slot) => `${config.sfu.announcedIp}:${slot.port}`)
				.join(', '),
		},
		close: () => server.close(),
	};
});
