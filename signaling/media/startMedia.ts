// The live media path inside the signaling process: the worker pool, the
// SFU control interface and the media protocol on every socket.

import type { Redis } from 'ioredis';
import { Gauge } from 'prom-client';
import type { Server } from 'socket.io';

import type { Logger } from '../../common/logger.ts';
import type { OpsServer } from '../../common/OpsServer.ts';
import { SfuControl } from '../../sfu/SfuControl.ts';
import { WorkerPool } from '../../sfu/WorkerPool.ts';
import { MediaSignaling, socketNotifier } from './MediaSignaling.ts';

export interface MediaOptions {
	workers: number;
	rtcPortBase: number;
	listenIp: string;
	announcedIp: string;
	/** Microphones in a class's program mix; 7 (the teacher and a stage of six) when unset. */
	programSlots?: number;
}

export interface Media {
	pool: WorkerPool;
	control: SfuControl;
	signaling: MediaSignaling;
	/** Closes the class routers, then the workers; idempotent. */
	close(): Promise<void>;
}

export async function startMedia(
	io: Server,
	redis: Redis,
	options: MediaOptions,
	logger: Logger,
	ops?: OpsServer,
): Promise<Media> {
	const mediaLogger = logger.child({ component: 'media' });
	const pool = await WorkerPool.create({
		size: options.workers,
		rtcPortBase: options.rtcPortBase,
		listenIp: options.listenIp,
		announcedIp: options.announcedIp,
		logger: mediaLogger,
	});
	const control = new SfuControl(pool, socketNotifier(io), mediaLogger, {
		...(options.programSlots === undefined ? {} : { programSlots: options.programSlots }),
	});
	const signaling = new MediaSignaling(io, control, redis, mediaLogger);

	if (ops !== undefined) {
		observe(ops, pool, control);
	}

	return {
		pool,
		control,
		signaling,
		close: async () => {
			await control.close();
			await pool.close();
		},
	};
}

/** Worker and media gauges on the process's metrics, and a health check on the pool. */
function observe(ops: OpsServer, pool: WorkerPool, control: SfuControl): void {
	new Gauge({
		name: 'sfu_workers_alive',
		help: 'mediasoup workers running in this process',
		registers: [ops.registry],
		collect() {
			this.set(pool.workers.length);
		},
	});
	new Gauge({
		name: 'sfu_media_objects',
		help: 'live classes, peers, producers and consumers on this process',
		labelNames: ['kind'],
		registers: [ops.registry],
		async collect() {
			for (const [kind, value] of Object.entries(await control.counts())) {
				this.set({ kind }, value);
			}
		},
	});
	ops.addCheck('workers', async () => {
		if (pool.workers.length < pool.size) {
			throw new Error(`${pool.workers.length} of ${pool.size} workers running`);
		}
	});
}
