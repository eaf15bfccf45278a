import { EventEmitter, once } from 'node:events';

import type { types } from 'mediasoup';

import type { Logger } from '../common/logger.ts';
import { ProtocolError } from '../signaling/protocol/errors.ts';
import type { MediaReplies, MediaRequest } from '../signaling/protocol/media.ts';
import { ClassMedia } from './ClassMedia.ts';
import { MEDIA_CODECS } from './mediaCodecs.ts';
import type { MediaNotifier } from './MediaNotifier.ts';
import type { PeerIdentity, ProducerAppData } from './MediaPeer.ts';
import type { Program } from './Program.ts';
import type { ProgramDestination, ProgramOutput, ProgramSwitcher } from './ProgramSwitcher.ts';
import type { PoolWorker, WorkerPool } from './WorkerPool.ts';
import { wireRtpCapabilities } from './wireFormat.ts';

interface SfuControlEvents {
	/** A class lost its router (its worker died); its pages were told to join again. */
	classreset: [classId: string];
	/** A producer started in a class. */
	newproducer: [classId: string, producer: types.Producer<ProducerAppData>];
	/** A class's program changed (see Program.ts): the HLS bridge and the recorder feed follow it. */
	programchange: [classId: string, program: Program | undefined];
	/** A class's media closed: its last peer left, or its router went with its worker. */
	classclosed: [classId: string];
}

/** The teacher and a stage of six. */
const DEFAULT_PROGRAM_SLOTS = 7;

/** How long a join waits for a worker while the pool replaces a dead one. */
const WORKER_WAIT_MS = 10_000;

/**
 * The interface signaling drives: one typed method per media request, each
 * checking that the request fits the current state (joined, owns the
 * transport, the producer exists) and answering with ProtocolError codes.
 * Payload schemas are checked before a request gets here. It runs in the
 * signaling process today; every argument and result is plain data, so it
 * can move behind an RPC without changing its callers.
 */
export class SfuControl extends EventEmitter<SfuControlEvents> {
	readonly #pool: WorkerPool;
	readonly #notifier: MediaNotifier;
	readonly #logger: Logger;
	readonly #classes = new Map<string, Promise<ClassMedia>>();
	#closed = false;

	/** Microphones in a class's program mix: the teacher and a full stage. */
	readonly programSlots: number;

	constructor(
		pool: WorkerPool,
		notifier: MediaNotifier,
		logger: Logger,
		options: { programSlots?: number } = {},
	) {
		super();
		this.programSlots = options.programSlots ?? DEFAULT_PROGRAM_SLOTS;
		this.#pool = pool;
		this.#notifier = notifier;
		this.#logger = logger;
	}

	get pool(): WorkerPool {
		return this.#pool;
	}

	async join(identity: PeerIdentity): Promise<MediaReplies['media:join']> {
		let media = await this.#classMedia(identity.classId);

		// The last peer may have left, closing the class, while this one waited.
		while (media.closed) {
			media = await this.#classMedia(identity.classId);
		}

		const producers = media.join(identity);

		return {
			peerId: identity.peerId,
			routerRtpCapabilities: wireRtpCapabilities(media.router.rtpCapabilities),
			producers,
		};
	}

	/** Closes a peer's media; safe for a peer that never joined. */
	async leave(classId: string, peerId: string): Promise<void> {
		const media = await this.#existing(classId);

		media?.leave(peerId);
		if (media !== undefined && media.peerCount === 0) {
			media.close();
		}
	}

	async createTransport(
		classId: string,
		peerId: string,
	): Promise<MediaReplies['media:createTransport']> {
		return (await this.#joined(classId)).createTransport(peerId);
	}

	async connectTransport(
		classId: string,
		peerId: string,
		request: MediaRequest<'media:connectTransport'>,
	): Promise<void> {
		await (await this.#joined(classId)).connectTransport(peerId, request);
	}

	async restartIce(
		classId: string,
		peerId: string,
		transportId: string,
	): Promise<MediaReplies['media:restartIce']['iceParameters']> {
		return (await this.#joined(classId)).restartIce(peerId, transportId);
	}

	async produce(
		classId: string,
		peerId: string,
		request: MediaRequest<'media:produce'>,
	): Promise<string> {
		return (await this.#joined(classId)).produce(peerId, request);
	}

	async closeProducer(classId: string, peerId: string, producerId: string): Promise<void> {
		(await this.#joined(classId)).peer(peerId).producer(producerId).close();
	}

	async pauseProducer(classId: string, peerId: string, producerId: string, paused: boolean) {
		const producer = (await this.#joined(classId)).peer(peerId).producer(producerId);

		await (paused ? producer.pause() : producer.resume());
	}

	async consume(
		classId: string,
		peerId: string,
		request: MediaRequest<'media:consume'>,
	): Promise<MediaReplies['media:consume']> {
		return (await this.#joined(classId)).consume(peerId, request);
	}

	async pauseConsumer(classId: string, peerId: string, consumerId: string, paused: boolean) {
		const consumer = (await this.#joined(classId)).peer(peerId).consumer(consumerId);

		await (paused ? consumer.pause() : consumer.resume());
	}

	async setPreferredLayers(
		classId: string,
		peerId: string,
		request: MediaRequest<'media:setPreferredLayers'>,
	): Promise<void> {
		const consumer = (await this.#joined(classId)).peer(peerId).consumer(request.consumerId);

		if (consumer.type !== 'simulcast' && consumer.type !== 'svc') {
			throw new ProtocolError('conflict', 'this consumer has a single layer');
		}

		await consumer.setPreferredLayers({
			spatialLayer: request.spatialLayer,
			temporalLayer: request.temporalLayer,
		});
	}

	/** Closes every producer of a user in a class (taken off the stage). */
	async closeProducersOfUser(classId: string, userId: string): Promise<number> {
		return (await this.#existing(classId))?.closeProducersOfUser(userId) ?? 0;
	}

	/** What runs in this process now, for metrics. */
	async counts(): Promise<{
		classes: number;
		peers: number;
		producers: number;
		consumers: number;
	}> {
		const total = { classes: 0, peers: 0, producers: 0, consumers: 0 };

		for (const classId of [...this.#classes.keys()]) {
			const counts = (await this.#existing(classId))?.counts();

			if (counts !== undefined) {
				total.classes++;
				total.peers += counts.peers;
				total.producers += counts.producers;
				total.consumers += counts.consumers;
			}
		}

		return total;
	}

	/** What a class has on air now, if its media runs in this process. */
	async program(classId: string): Promise<Program | undefined> {
		return (await this.#existing(classId))?.program;
	}

	/**
	 * Sends a class's program (ProgramSwitcher: one VP8 stream and
	 * `programSlots` Opus streams) to a receiver until the output or the
	 * class closes.
	 */
	async openProgramOutput(
		classId: string,
		destination: ProgramDestination,
	): Promise<ProgramOutput> {
		const media = await this.#joined(classId);
		const switcher = await media.programSwitcher(this.programSlots);

		return switcher.addOutput(destination);
	}

	/** What a class's program switcher has on air, if it runs; for operators and tests. */
	async programState(classId: string): Promise<ProgramSwitcher['state'] | undefined> {
		return (await this.#existing(classId))?.switcherState;
	}

	/** The class router's state (mediasoup's dump), or undefined; for operators and tests. */
	async dumpClass(classId: string): Promise<unknown> {
		return (await this.#existing(classId))?.dump();
	}

	/** Closes every class router; the pool belongs to the caller. Idempotent. */
	async close(): Promise<void> {
		if (this.#closed) {
			return;
		}

		this.#closed = true;
		const classes = await Promise.allSettled(this.#classes.values());

		for (const settled of classes) {
			if (settled.status === 'fulfilled') {
				settled.value.close();
			}
		}

		this.#classes.clear();
	}

	async #existing(classId: string): Promise<ClassMedia | undefined> {
		const media = await this.#classes.get(classId)?.catch(() => undefined);

		return media?.closed === false ? media : undefined;
	}

	async #joined(classId: string): Promise<ClassMedia> {
		const media = await this.#existing(classId);

		if (media === undefined) {
			throw new ProtocolError('out_of_order', 'send media:join first');
		}

		return media;
	}

	/** The class's media session, created on the least busy worker when first needed. */
	async #classMedia(classId: string): Promise<ClassMedia> {
		if (this.#closed) {
			throw new ProtocolError('unavailable', 'the media server is shutting down');
		}

		for (;;) {
			const pending = this.#classes.get(classId);

			if (pending === undefined) {
				break;
			}

			const media = await pending.catch(() => undefined);

			if (media !== undefined && !media.closed) {
				return media;
			}

			if (this.#classes.get(classId) === pending) {
				this.#classes.delete(classId);
			}
		}

		const creating = this.#createClassMedia(classId);

		this.#classes.set(classId, creating);
		creating.catch(() => {
			if (this.#classes.get(classId) === creating) {
				this.#classes.delete(classId);
			}
		});

		return creating;
	}

	async #createClassMedia(classId: string): Promise<ClassMedia> {
		const worker = await this.#leastBusyWorker(classId);
		const media = await ClassMedia.create(
			classId,
			worker,
			MEDIA_CODECS,
			this.#notifier,
			this.#logger,
		);

		media.once('reset', () => {
			this.#notifier.toClass(classId, 'media:reset', { classId });
			this.emit('classreset', classId);
		});
		media.on('newproducer', (producer) => this.emit('newproducer', classId, producer));
		media.on('programchange', (program) => this.emit('programchange', classId, program));
		media.once('close', () => {
			this.emit('classclosed', classId);
			void this.#classes.get(classId)?.then((current) => {
				if (current === media) {
					this.#classes.delete(classId);
				}
			});
		});

		return media;
	}

	async #leastBusyWorker(classId: string): Promise<PoolWorker> {
		if (this.#pool.workers.length === 0) {
			this.#logger.info('no worker up; waiting for the pool to replace one');
			try {
				await once(this.#pool, 'workerstarted', { signal: AbortSignal.timeout(WORKER_WAIT_MS) });
			} catch {
				throw new ProtocolError('unavailable', 'no media worker is running; retry shortly');
			}
		}

		const load = new Map<number, number>();
		// A snapshot: the class being created is added to the map meanwhile.
		const others = [...this.#classes.entries()].filter(([id]) => id !== classId);

		for (const [, pending] of others) {
			const media = await pending.catch(() => undefined);

			if (media !== undefined && !media.closed) {
				load.set(media.worker.index, (load.get(media.worker.index) ?? 0) + 1);
			}
		}

		const [first, ...rest] = this.#pool.workers;

		if (first === undefined) {
			throw new ProtocolError('unavailable', 'no media worker is running; retry shortly');
		}

		return rest.reduce(
			(best, slot) => ((load.get(slot.index) ?? 0) < (load.get(best.index) ?? 0) ? slot : best),
			first,
		);
	}
}
