// The SFU process: a pool of mediasoup workers, its health and metrics.
// Routers per class and the control interface signaling drives arrive with
// the live media path; this process owns the workers they will live on.

import { Gauge } from 'prom-client';

import { runService } from '../common/runService.ts';
import { WorkerPool } from './WorkerPool.ts';

await runService('sfu', async ({ config, logger, ops }) => {
	const pool = await WorkerPool.create({
		size: config.sfu.workers,
		rtcPortBase: config.sfu.rtcPortBase,
		listenIp: '0.0.0.0',
		announcedIp: config.sfu.announcedIp,
		logger,
	});

	new Gauge({
		name: 'sfu_workers_alive',
		help: 'mediasoup workers running in this process',
		registers: [ops.registry],
		collect() {
			this.set(pool.workers.length);
		},
	});
	ops.addCheck('workers', async () => {
		if (pool.workers.length < pool.size) {
			throw new Error(`${pool.workers.length} of ${pool.size} workers running`);
		}
	});

	const opsPort = await ops.listen(config.sfu.opsPort, 'SFU_OPS_PORT');

	return {
		listening: {
			ops: `http://${config.publicHost}:${opsPort}`,
			webrtc: pool.workers.map((slot) => `${config.sfu.announcedIp}:${slot.port}`).join(', '),
		},
		close: () => pool.close(),
	};
});
