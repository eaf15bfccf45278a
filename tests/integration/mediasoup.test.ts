import { once } from 'node:events';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createLogger } from '../../common/logger.ts';
import { WorkerPool, type PoolWorker } from '../../sfu/WorkerPool.ts';
import { freePort } from '../../infra/stack/ports.ts';

describe('WorkerPool on the built mediasoup worker', () => {
	let pool: WorkerPool;

	beforeAll(async () => {
		pool = await WorkerPool.create({
			size: 1,
			rtcPortBase: await freePort(),
			listenIp: '127.0.0.1',
			announcedIp: '127.0.0.1',
			logger: createLogger('test', 'silent'),
		});
	});

	afterAll(async () => {
		await pool.close();
	});

	it('starts the worker binary named by MEDIASOUP_WORKER_BIN', () => {
		expect(process.env.MEDIASOUP_WORKER_BIN).toMatch(/mediasoup-worker$/);
		expect(pool.workers).toHaveLength(1);
		expect(pool.workers[0]?.worker.pid).toBeGreaterThan(0);
	});

	it('creates a router, and a PlainTransport beside the WebRtcServer', async () => {
		const slot = pool.workers[0];

		if (slot === undefined) {
			throw new Error('no worker');
		}

		const router = await slot.worker.createRouter({
			mediaCodecs: [
				{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
				{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
			],
		});
		const plain = await router.createPlainTransport({
			listenIp: '127.0.0.1',
			rtcpMux: true,
			comedia: false,
		});
		const webRtc = await router.createWebRtcTransport({
			webRtcServer: slot.webRtcServer,
			enableUdp: true,
			enableTcp: true,
		});
		// mediasoup 3.12 types dump() as any.
		const serverDump = (await slot.webRtcServer.dump()) as { udpSockets: { port: number }[] };

		expect(router.rtpCapabilities.codecs?.map((codec) => codec.mimeType)).toContain('video/VP8');
		expect(plain.tuple.localPort).toBeGreaterThan(0);
		expect(webRtc.iceCandidates.map((candidate) => candidate.port)).toEqual([slot.port, slot.port]);
		expect(serverDump.udpSockets[0]?.port).toBe(slot.port);

		router.close();
		expect(plain.closed).toBe(true);
	});

	it('replaces a worker killed with SIGKILL, on the same port', async () => {
		const before = pool.workers[0];

		if (before === undefined) {
			throw new Error('no worker');
		}

		const restarted = once(pool, 'workerstarted') as Promise<[PoolWorker]>;

		process.kill(before.worker.pid, 'SIGKILL');

		const [after] = await restarted;

		expect(after.index).toBe(0);
		expect(after.worker.pid).not.toBe(before.worker.pid);
		expect(after.port).toBe(before.port);
		expect(pool.workers).toHaveLength(1);
	});
});
