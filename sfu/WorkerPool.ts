import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

import { createWorker, type types } from 'mediasoup';

import type { Logger } from '../common/logger.ts';

export interface WorkerPoolOptions {
	size: number;
	/** Worker i serves WebRTC on UDP and TCP port `rtcPortBase + i`. */
	rtcPortBase: number;
	listenIp: string;
	announcedIp: string;
	logger: Logger;
}

/** One mediasoup worker process and the WebRtcServer that gives it its single port. */
export interface PoolWorker {
	readonly index: number;
	readonly worker: types.Worker;
	readonly webRtcServer: types.WebRtcServer;
	readonly port: number;
}

interface WorkerPoolEvents {
	/** A worker died; a new one is being started at the same index. */
	workerdied: [index: number];
	/** A worker at the index is up (again). */
	workerstarted: [worker: PoolWorker];
}

const RESTART_DELAY_MS = 200;

/**
 * The mediasoup workers of one SFU process, one per core, each with one
 * WebRtcServer (one port per worker, not one per transport). A worker that
 * dies is replaced at the same index and port; its routers are gone with it,
 * and the `workerdied` event tells their owners to rebuild them.
 */
export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
	readonly #options: WorkerPoolOptions;
	readonly #slots: (PoolWorker | undefined)[];
	#closed = false;

	private constructor(options: WorkerPoolOptions) {
		super();
		this.#options = options;
		this.#slots = Array.from({ length: options.size }, () => undefined);
	}

	static async create(options: WorkerPoolOptions): Promise<WorkerPool> {
		const pool = new WorkerPool(options);

		try {
			await Promise.all(pool.#slots.map((_, index) => pool.#start(index)));
		} catch (error) {
			await pool.close();
			throw error;
		}

		return pool;
	}

	/** The workers that are up now, in index order. */
	get workers(): PoolWorker[] {
		return this.#slots.filter((slot): slot is PoolWorker => slot !== undefined);
	}

	get size(): number {
		return this.#options.size;
	}

	get closed(): boolean {
		return this.#closed;
	}

	/** Closes every worker; safe to call more than once. */
	async close(): Promise<void> {
		if (this.#closed) {
			return;
		}

		this.#closed = true;
		for (const slot of this.#slots) {
			slot?.worker.close();
		}

		this.#slots.fill(undefined);
	}

	async #start(index: number): Promise<PoolWorker> {
		const { logger } = this.#options;
		const worker = await createWorker({ logLevel: 'warn', appData: { index } });
		const port = this.#options.rtcPortBase + index;
		let webRtcServer: types.WebRtcServer;

		try {
			webRtcServer = await worker.createWebRtcServer({
				listenInfos: (['udp', 'tcp'] as const).map((protocol) => ({
					protocol,
					ip: this.#options.listenIp,
					announcedIp: this.#options.announcedIp,
					port,
				})),
			});
		} catch (error) {
			worker.close();
			throw error;
		}

		const slot: PoolWorker = { index, worker, webRtcServer, port };

		worker.on('died', (error) => {
			this.#slots[index] = undefined;
			logger.error({ workerIndex: index, pid: worker.pid, err: error }, 'mediasoup worker died');
			this.emit('workerdied', index);
			void this.#restart(index);
		});

		this.#slots[index] = slot;
		logger.info({ workerIndex: index, pid: worker.pid, port }, 'mediasoup worker started');
		this.emit('workerstarted', slot);

		return slot;
	}

	async #restart(index: number): Promise<void> {
		// The dead worker's port is released by the kernel right away, but
		// retrying covers the rare case it is not yet.
		for (let attempt = 1; !this.#closed; attempt++) {
			await sleep(RESTART_DELAY_MS * Math.min(attempt, 10));
			if (this.closed) {
				return;
			}

			try {
				await this.#start(index);

				return;
			} catch (error) {
				this.#options.logger.error(
					{ workerIndex: index, attempt, err: error },
					'worker restart failed',
				);
			}
		}
	}
}
