// The signaling process: the socket.io edge every page connects to, with its
// health and metrics on the same port. See createSignalingServer.ts.

import { probeRedis } from '../common/clients/redis.ts';
import { required } from '../common/config.ts';
import { runService } from '../common/runService.ts';
import { createSignalingServer } from './createSignalingServer.ts';

await runService('signaling', async ({ config, logger, ops }) => {
	await probeRedis(required(config.redis.url, 'REDIS_URL'));

	// NOTE: the media side wires its stage hook here (onStageChange), to
	// close the producers of a member taken off the stage on this process.
	const server = await createSignalingServer({ config, logger, ops });

	return {
		listening: { socketio: `http://${config.publicHost}:${server.port}` },
		close: () => server.close(),
	};
});
