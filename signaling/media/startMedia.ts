// The live media path inside the signaling process: the worker pool, the
// SFU control interface and the media protocol on every socket.

import type { Redis } from 'ioredis';
import type { Server } from 'socket.io';

import type { Logger } from '../../common/logger.ts';
import { SfuControl } from '../../sfu/SfuControl.ts';
import { WorkerPool } from '../../sfu/WorkerPool.ts';
import { MediaSignaling, socketNotifier } from './MediaSignaling.ts';

export interface MediaOptions {
	workers: number;
	rtcPortBase: number;
	listenIp: string;
	announcedIp: string;
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
): Promise<Media> {
	const mediaLogger = logger.child({ component: 'media' });
	const pool = await WorkerPool.create({
		size: options.workers,
		rtcPortBase: options.rtcPortBase,
		listenIp: options.listenIp,
		announcedIp: options.announcedIp,
		logger: mediaLogger,
	});
	const control = new SfuControl(pool, socketNotifier(io), mediaLogger);
	const signaling = new MediaSignaling(io, control, redis, mediaLogger);

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
