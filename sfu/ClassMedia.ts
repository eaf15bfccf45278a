import { EventEmitter } from 'node:events';

import { types } from 'mediasoup';

import type { Logger } from '../common/logger.ts';
import { ProtocolError } from '../signaling/protocol/errors.ts';
import type {
	ConsumerInfo,
	MediaRequest,
	ProducerInfo,
	TransportInfo,
} from '../signaling/protocol/media.ts';
import { MediaPeer, type PeerIdentity, type ProducerAppData } from './MediaPeer.ts';
import type { MediaNotifier } from './MediaNotifier.ts';
import { selectProgram, type Program } from './Program.ts';
import { ProgramSwitcher } from './ProgramSwitcher.ts';
import type { PoolWorker } from './WorkerPool.ts';
import { wireDtlsParameters, wireRtpParameters } from './wireFormat.ts';

interface ClassMediaEvents {
	/** The router is gone with its worker; every peer must join again. */
	reset: [];
	/** A producer started. */
	newproducer: [producer: types.Producer<ProducerAppData>];
	/** The program's producers changed (see Program.ts); undefined is off air. */
	programchange: [program: Program | undefined];
	close: [];
}

/** Bitrate a new transport starts at before congestion control learns more. */
const INITIAL_OUTGOING_BITRATE = 1_000_000;

/**
 * One class's live media on one worker: its router, its active-speaker and
 * audio-level observers, and the peers sending and receiving in it.
 */
export class ClassMedia extends EventEmitter<ClassMediaEvents> {
	readonly classId: string;
	readonly worker: PoolWorker;
	readonly router: types.Router;
	readonly #peers = new Map<string, MediaPeer>();
	readonly #speakers: types.ActiveSpeakerObserver;
	readonly #levels: types.AudioLevelObserver;
	readonly #notifier: MediaNotifier;
	readonly #logger: Logger;
	/** The last dominant speaker, told to pages that join after it was named. */
	#dominant: { producerId: string; peerId: string; userId: string } | undefined;
	#program: Program | undefined;
	#switcher: Promise<ProgramSwitcher> | undefined;
	/** The switcher once it runs, for reads that cannot wait. */
	#runningSwitcher: ProgramSwitcher | undefined;
	#closed = false;

	private constructor(
		classId: string,
		worker: PoolWorker,
		router: types.Router,
		observers: [types.ActiveSpeakerObserver, types.AudioLevelObserver],
		notifier: MediaNotifier,
		logger: Logger,
	) {
		super();
		this.classId = classId;
		this.worker = worker;
		this.router = router;
		[this.#speakers, this.#levels] = observers;
		this.#notifier = notifier;
		this.#logger = logger;

		router.once('workerclose', () => {
			this.#logger.warn('router lost with its worker; class media reset');
			this.emit('reset');
			this.close();
		});
		// NOTE: every producer on this router comes from produce(), which gives
		// it ProducerAppData; the observers hand them back typed as plain AppData.
		this.#speakers.on('dominantspeaker', ({ producer }) => {
			const { peerId, userId } = producer.appData as ProducerAppData;

			this.#dominant = { producerId: producer.id, peerId, userId };
			this.#notifier.toClass(classId, 'media:activeSpeaker', { peerId, userId });
		});
		this.#levels.on('volumes', (volumes) => {
			const levels = volumes.map(({ producer, volume }) => {
				const { peerId, userId } = producer.appData as ProducerAppData;

				return { peerId, userId, volume };
			});

			this.#notifier.toClass(classId, 'media:audioLevels', { levels });
		});
	}

	static async create(
		classId: string,
		worker: PoolWorker,
		mediaCodecs: types.RtpCodecCapability[],
		notifier: MediaNotifier,
		logger: Logger,
	): Promise<ClassMedia> {
		const router = await worker.worker.createRouter({ mediaCodecs, appData: { classId } });

		try {
			const speakers = await router.createActiveSpeakerObserver({ interval: 300 });
			const levels = await router.createAudioLevelObserver({
				maxEntries: 8,
				threshold: -70,
				interval: 800,
			});
			const classLogger = logger.child({ classId, workerIndex: worker.index });

			classLogger.info('class router created');

			return new ClassMedia(classId, worker, router, [speakers, levels], notifier, classLogger);
		} catch (error) {
			router.close();
			throw error;
		}
	}

	get closed(): boolean {
		return this.#closed;
	}

	get peerCount(): number {
		return this.#peers.size;
	}

	/** What the class has on air now; undefined while it is off air. */
	get program(): Program | undefined {
		return this.#program;
	}

	/** What the program switcher has on air, once it runs. */
	get switcherState(): ProgramSwitcher['state'] | undefined {
		return this.#runningSwitcher?.state;
	}

	/**
	 * The class's program as continuous RTP, created on first use with
	 * `slots` microphones in its mix; it closes with the class.
	 */
	async programSwitcher(slots: number): Promise<ProgramSwitcher> {
		this.#switcher ??= ProgramSwitcher.create(this.router, { slots, logger: this.#logger }).then(
			async (switcher) => {
				if (this.#closed) {
					switcher.close();
					throw new ProtocolError('not_found', 'the class media closed');
				}

				await switcher.follow(this.#program);
				this.#runningSwitcher = switcher;

				return switcher;
			},
		);

		const switcher = await this.#switcher;

		if (switcher.slots !== slots) {
			throw new TypeError(`the program switcher has ${switcher.slots} slots, not ${slots}`);
		}

		return switcher;
	}

	/** Counts of what runs in this class, for metrics. */
	counts(): { peers: number; producers: number; consumers: number } {
		let producers = 0;
		let consumers = 0;

		for (const peer of this.#peers.values()) {
			producers += peer.producers.size;
			consumers += peer.consumers.size;
		}

		return { peers: this.#peers.size, producers, consumers };
	}

	/** Adds a peer and lists the producers it may consume. */
	join(identity: PeerIdentity): ProducerInfo[] {
		if (this.#peers.has(identity.peerId)) {
			throw new ProtocolError('conflict', 'this connection has already joined the media session');
		}

		this.#peers.set(identity.peerId, new MediaPeer(identity, this.#logger));
		if (this.#dominant !== undefined) {
			const { peerId, userId } = this.#dominant;

			this.#notifier.toPeer(identity.peerId, 'media:activeSpeaker', { peerId, userId });
		}

		return [...this.#peers.values()].flatMap((peer) =>
			peer.identity.peerId === identity.peerId
				? []
				: [...peer.producers.values()].map((producer) => describe(producer)),
		);
	}

	/** Closes a peer's media and forgets it; unknown peers are ignored. */
	leave(peerId: string): void {
		const peer = this.#peers.get(peerId);

		if (peer === undefined) {
			return;
		}

		this.#peers.delete(peerId);
		peer.close();
	}

	peer(peerId: string): MediaPeer {
		const peer = this.#peers.get(peerId);

		if (peer === undefined) {
			throw new ProtocolError('out_of_order', 'send media:join first');
		}

		return peer;
	}

	async createTransport(peerId: string): Promise<TransportInfo> {
		const peer = this.peer(peerId);
		const transport = await this.router.createWebRtcTransport({
			webRtcServer: this.worker.webRtcServer,
			enableUdp: true,
			enableTcp: true,
			preferUdp: true,
			initialAvailableOutgoingBitrate: INITIAL_OUTGOING_BITRATE,
		});

		if (peer.closed) {
			transport.close();
			throw new ProtocolError('conflict', 'the peer left while its transport was being created');
		}

		peer.addTransport(transport);

		return {
			id: transport.id,
			iceParameters: transport.iceParameters,
			// Browsers' mediasoup-client reads `address`; this server names it `ip`.
			iceCandidates: transport.iceCandidates.map((candidate) => ({
				...candidate,
				address: candidate.ip,
			})),
			dtlsParameters: wireDtlsParameters(transport.dtlsParameters),
		};
	}

	async connectTransport(
		peerId: string,
		request: MediaRequest<'media:connectTransport'>,
	): Promise<void> {
		const transport = this.peer(peerId).transport(request.transportId);

		// NOTE: the schema checked the shape; mediasoup checks the values.
		await transport.connect({ dtlsParameters: request.dtlsParameters }).catch(refuseBadParameters);
	}

	async restartIce(peerId: string, transportId: string): Promise<types.IceParameters> {
		return this.peer(peerId).transport(transportId).restartIce();
	}

	/** Starts a producer; the caller has already checked the peer may publish. */
	async produce(peerId: string, request: MediaRequest<'media:produce'>): Promise<string> {
		const peer = this.peer(peerId);
		const transport = peer.transport(request.transportId);
		const { identity } = peer;
		const producer = await transport
			.produce<ProducerAppData>({
				kind: request.kind,
				// NOTE: the schema checked the shape; mediasoup checks the values.
				rtpParameters: request.rtpParameters,
				appData: {
					peerId,
					userId: identity.userId,
					displayName: identity.displayName,
					role: identity.role,
					source: request.source,
				},
			})
			.catch(refuseBadParameters);

		peer.addProducer(producer);
		if (producer.kind === 'audio') {
			await Promise.all([
				this.#speakers.addProducer({ producerId: producer.id }),
				this.#levels.addProducer({ producerId: producer.id }),
			]).catch((error: unknown) => peer.logger.warn({ err: error }, 'audio observers refused'));
		}

		producer.observer.once('close', () => {
			if (this.#dominant?.producerId === producer.id) {
				this.#dominant = undefined;
			}

			if (!this.#closed) {
				this.#notifier.toClass(this.classId, 'media:producerClosed', { producerId: producer.id });
				this.#updateProgram();
			}
		});
		producer.observer.on('pause', () => this.#updateProgram());
		producer.observer.on('resume', () => this.#updateProgram());
		peer.logger.info({ producerId: producer.id, source: request.source }, 'producing');

		const info = describe(producer);

		this.emit('newproducer', producer);
		this.#updateProgram();

		for (const other of this.#peers.values()) {
			if (other !== peer) {
				this.#notifier.toPeer(other.identity.peerId, 'media:newProducer', info);
			}
		}

		return producer.id;
	}

	/** Closes the producers of every peer of a user (taken off the stage). */
	closeProducersOfUser(userId: string): number {
		let closed = 0;

		for (const peer of this.#peers.values()) {
			if (peer.identity.userId === userId) {
				for (const producer of [...peer.producers.values()]) {
					producer.close();
					closed++;
				}
			}
		}

		return closed;
	}

	/** Creates a consumer, paused; the page resumes it when ready. */
	async consume(peerId: string, request: MediaRequest<'media:consume'>): Promise<ConsumerInfo> {
		const peer = this.peer(peerId);
		const transport = peer.transport(request.transportId);
		const producer = this.#findProducer(request.producerId);
		// NOTE: the schema checked the shape; the router checks the codecs.
		const rtpCapabilities = request.rtpCapabilities as types.RtpCapabilities;

		if (!this.router.canConsume({ producerId: producer.id, rtpCapabilities })) {
			throw new ProtocolError('bad_request', 'your RTP capabilities cannot receive this producer');
		}

		const consumer = await transport
			.consume({ producerId: producer.id, rtpCapabilities, paused: true })
			.catch(refuseBadParameters);

		peer.addConsumer(consumer);
		consumer.on('producerclose', () => {
			consumer.close();
			this.#notifier.toPeer(peerId, 'media:consumerClosed', {
				consumerId: consumer.id,
				producerId: producer.id,
			});
		});

		return {
			consumerId: consumer.id,
			producerId: producer.id,
			kind: consumer.kind,
			rtpParameters: wireRtpParameters(consumer.rtpParameters),
		};
	}

	/** Router state, for operators and tests. */
	async dump(): Promise<unknown> {
		return this.router.dump();
	}

	/** Closes every peer and the router; idempotent. */
	close(): void {
		if (this.#closed) {
			return;
		}

		this.#closed = true;
		for (const peer of this.#peers.values()) {
			peer.close();
		}

		this.#peers.clear();
		void this.#switcher?.then(
			(switcher) => switcher.close(),
			() => undefined,
		);
		this.router.close();
		this.#logger.info('class media closed');
		this.emit('close');
	}

	/** A producer of any peer in the class; not_found when there is none. */
	producer(producerId: string): types.Producer<ProducerAppData> {
		return this.#findProducer(producerId);
	}

	#updateProgram(): void {
		const program = selectProgram(
			[...this.#peers.values()].flatMap((peer) => [...peer.producers.values()]),
		);

		if (program?.key === this.#program?.key) {
			return;
		}

		this.#program = program;
		void this.#switcher?.then(
			(switcher) => switcher.follow(program),
			() => undefined,
		);
		this.emit('programchange', program);
	}

	#findProducer(producerId: string): types.Producer<ProducerAppData> {
		for (const peer of this.#peers.values()) {
			const producer = peer.producers.get(producerId);

			if (producer !== undefined) {
				return producer;
			}
		}

		throw new ProtocolError('not_found', `no producer ${producerId} in this class`);
	}
}

/**
 * mediasoup answers values it cannot use with TypeError (bad value) or
 * UnsupportedError (codec or extension it does not know); both are the
 * sender's fault and reach it as bad_request. Anything else stays internal.
 */
function refuseBadParameters(error: unknown): never {
	if (error instanceof TypeError || error instanceof types.UnsupportedError) {
		throw new ProtocolError('bad_request', error.message);
	}

	throw error;
}

function describe(producer: types.Producer<ProducerAppData>): ProducerInfo {
	const { peerId, userId, displayName, source } = producer.appData;

	return { producerId: producer.id, peerId, userId, displayName, kind: producer.kind, source };
}
