// One page's place in a class's live media: the socket, the mediasoup-client
// device, a send and a receive transport, what the page publishes and what
// it receives. It rebuilds all of it by itself after a lost socket, a lost
// ICE connection or a media reset (the class's SFU worker died).

import { Device } from 'mediasoup-client';
import type { Consumer, Producer, Transport } from 'mediasoup-client/types';
import { io, type Socket } from 'socket.io-client';

import type { Ack, ErrorBody } from '../../signaling/protocol/errors.ts';
import type {
	MediaNotifications,
	MediaReplies,
	MediaRequest,
	MediaRequestName,
	MediaSource,
	ProducerInfo,
} from '../../signaling/protocol/media.ts';
import { describeError, RequestError } from './RequestError.ts';

/** A track this page receives from another member of the class. */
export interface RemoteTrack {
	consumerId: string;
	producer: ProducerInfo;
	track: MediaStreamTrack;
}

/** A local track the page publishes, kept across reconnections. */
interface Publication {
	source: MediaSource;
	track: MediaStreamTrack;
	simulcast: boolean;
	producer: Producer | undefined;
	/** The join generation that has produced (or is producing) it. */
	producedIn: number | undefined;
}

export interface MediaSessionEvents {
	status: (status: string) => void;
	remoteAdded: (remote: RemoteTrack) => void;
	remoteRemoved: (consumerId: string) => void;
}

const REQUEST_TIMEOUT_MS = 10_000;
const RETRY_DELAY_MS = 500;

// The teacher's camera in three layers: a stage student on a weak link
// still gets video, and the HLS bridge can take the layer it needs.
const SIMULCAST_ENCODINGS: RTCRtpEncodingParameters[] = [
	{ scaleResolutionDownBy: 4, maxBitrate: 150_000 },
	{ scaleResolutionDownBy: 2, maxBitrate: 500_000 },
	{ scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
];

export class MediaSession {
	readonly socket: Socket;
	readonly remotes = new Map<string, RemoteTrack>();
	/** The user the SFU last named the active speaker, and the latest audio levels. */
	activeSpeaker: string | undefined;
	audioLevels: MediaNotifications['media:audioLevels']['levels'] = [];
	readonly #publications = new Map<MediaSource, Publication>();
	readonly #consumers = new Map<string, Consumer>();
	readonly #handlers: Partial<MediaSessionEvents> = {};
	#device: Device | undefined;
	#sendTransport: Promise<Transport> | undefined;
	#recvTransport: Transport | undefined;
	#peerId: string | undefined;
	/** Producers announced while the page was still joining; consumed once it has. */
	#announced: ProducerInfo[] | undefined;
	/** Bumped on every rebuild; work started for an older one stops. */
	#generation = 0;
	#closed = false;

	constructor(origin: string, token: string) {
		this.socket = io(origin, {
			auth: { token },
			transports: ['websocket'],
			reconnectionDelay: 250,
			reconnectionDelayMax: 2000,
		});
		this.socket.on('connect', () => void this.#rebuild('connected'));
		this.socket.on('disconnect', () => {
			this.#teardown();
			this.#emit('status', 'disconnected; reconnecting');
		});
		this.socket.on('connect_error', (error: Error & { data?: ErrorBody }) => {
			this.#emit('status', `cannot connect: ${error.data?.code ?? error.message}`);
		});
		this.#listen('media:reset', () => void this.#rebuild('media reset'));
		this.#listen('media:newProducer', (producer) => {
			if (this.#announced !== undefined) {
				this.#announced.push(producer);
			} else {
				this.#consumeLogged(producer, this.#generation);
			}
		});
		this.#listen('media:consumerClosed', ({ consumerId }) => this.#dropConsumer(consumerId));
		// The server closes a producer of ours when we leave the stage.
		this.#listen('media:producerClosed', ({ producerId }) => {
			for (const publication of this.#publications.values()) {
				if (publication.producer?.id === producerId) {
					publication.producer.close();
					publication.producer = undefined;
					this.#emit('status', `stopped publishing ${publication.source}`);
				}
			}
		});
		this.#listen('media:activeSpeaker', ({ userId }) => {
			this.activeSpeaker = userId;
		});
		this.#listen('media:audioLevels', ({ levels }) => {
			this.audioLevels = levels;
		});
	}

	on<Name extends keyof MediaSessionEvents>(name: Name, handler: MediaSessionEvents[Name]): void {
		this.#handlers[name] = handler;
	}

	get peerId(): string | undefined {
		return this.#peerId;
	}

	/** Publishes a track as a source; it is published again after every rebuild. */
	async publish(source: MediaSource, track: MediaStreamTrack, simulcast = false): Promise<void> {
		const publication: Publication = {
			source,
			track,
			simulcast,
			producer: undefined,
			producedIn: undefined,
		};

		this.#publications.set(source, publication);
		track.addEventListener('ended', () => void this.unpublish(source));

		// Before the join completes, the join publishes it.
		if (this.#recvTransport !== undefined) {
			await this.#produce(publication, this.#generation);
		}
	}

	/** Stops publishing a source and stops its track. */
	async unpublish(source: MediaSource): Promise<void> {
		const publication = this.#publications.get(source);

		if (publication === undefined) {
			return;
		}

		this.#publications.delete(source);
		publication.track.stop();

		const producer = publication.producer;

		if (producer !== undefined && !producer.closed) {
			producer.close();
			await this.#request('media:closeProducer', { producerId: producer.id }).catch(() => {
				// The server closes it with the transport anyway.
			});
		}
	}

	/** Asks the SFU for a layer of a simulcast consumer (0 is the smallest). */
	async setPreferredLayers(consumerId: string, spatialLayer: number): Promise<void> {
		await this.#request('media:setPreferredLayers', { consumerId, spatialLayer });
	}

	/** Per-consumer receive statistics, for the pages' own display and tests. */
	async receiveStats(): Promise<
		{
			consumerId: string;
			source: MediaSource;
			kind: string;
			userId: string;
			framesDecoded: number;
			frameWidth: number;
			frameHeight: number;
			packetsReceived: number;
		}[]
	> {
		return Promise.all(
			[...this.remotes.values()].map(async (remote) => {
				const consumer = this.#consumers.get(remote.consumerId);
				const inbound = { framesDecoded: 0, frameWidth: 0, frameHeight: 0, packetsReceived: 0 };

				(await consumer?.getStats())?.forEach((report: Record<string, unknown>) => {
					if (report.type === 'inbound-rtp') {
						inbound.framesDecoded = numberOr0(report.framesDecoded);
						inbound.frameWidth = numberOr0(report.frameWidth);
						inbound.frameHeight = numberOr0(report.frameHeight);
						inbound.packetsReceived = numberOr0(report.packetsReceived);
					}
				});

				return {
					consumerId: remote.consumerId,
					source: remote.producer.source,
					kind: remote.producer.kind,
					userId: remote.producer.userId,
					...inbound,
				};
			}),
		);
	}

	close(): void {
		if (this.#closed) {
			return;
		}

		this.#closed = true;
		this.#generation++;
		this.#teardown();
		for (const publication of this.#publications.values()) {
			publication.track.stop();
		}

		this.socket.close();
	}

	/** Joins (again) and re-creates transports, producers and consumers. */
	async #rebuild(reason: string): Promise<void> {
		const generation = ++this.#generation;

		this.#teardown();
		this.#announced = undefined;
		this.#emit('status', `${reason}; joining`);

		while (generation === this.#generation && this.socket.connected) {
			try {
				await this.#join(generation);
				this.#emit('status', 'live');

				return;
			} catch (error) {
				this.#emit('status', `join failed (${describeError(error)}); retrying`);
				await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
			}
		}
	}

	async #join(generation: number): Promise<void> {
		const announced: ProducerInfo[] = [];

		this.#announced = announced;

		const joined = await this.#request('media:join', {});

		this.#peerId = joined.peerId;
		if (this.#device === undefined) {
			const device = new Device();

			await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
			this.#device = device;
		}

		this.#recvTransport = await this.#createTransport('recv', generation);

		if (this.#announced === announced) {
			this.#announced = undefined;
		}

		for (const producer of [...joined.producers, ...announced]) {
			this.#consumeLogged(producer, generation);
		}

		await Promise.all(
			[...this.#publications.values()].map((publication) =>
				this.#produce(publication, generation).catch((error: unknown) => {
					// Not on stage (forbidden) leaves the page a viewer; anything
					// else fails the join and it is tried again.
					if (!(error instanceof RequestError && error.code === 'forbidden')) {
						throw error;
					}

					this.#emit('status', `cannot publish ${publication.source}: ${error.message}`);
				}),
			),
		);
	}

	#consumeLogged(producer: ProducerInfo, generation: number): void {
		this.#consume(producer, generation).catch((error: unknown) => {
			this.#emit('status', `cannot receive ${producer.source} (${describeError(error)})`);
		});
	}

	async #createTransport(direction: 'send' | 'recv', generation: number): Promise<Transport> {
		const device = this.#requireDevice();
		const info = await this.#request('media:createTransport', { direction });
		const options = {
			id: info.id,
			iceParameters: info.iceParameters,
			iceCandidates: info.iceCandidates,
			dtlsParameters: info.dtlsParameters,
		};
		const transport =
			direction === 'send'
				? device.createSendTransport(options)
				: device.createRecvTransport(options);

		if (generation !== this.#generation) {
			transport.close();
			throw new Error('superseded');
		}

		transport.on('connect', ({ dtlsParameters }, callback, errback) => {
			this.#request('media:connectTransport', { transportId: transport.id, dtlsParameters }).then(
				() => callback(),
				errback,
			);
		});
		transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
			const source = appData.source;

			if (!isSource(source)) {
				errback(new Error('a producer needs appData.source'));

				return;
			}

			this.#request('media:produce', {
				transportId: transport.id,
				kind,
				rtpParameters,
				source,
			}).then(({ producerId }) => callback({ id: producerId }), errback);
		});
		transport.on('connectionstatechange', (state) => {
			if (state === 'failed' || state === 'disconnected') {
				void this.#restartIce(transport);
			}
		});

		return transport;
	}

	async #restartIce(transport: Transport): Promise<void> {
		try {
			const { iceParameters } = await this.#request('media:restartIce', {
				transportId: transport.id,
			});

			await transport.restartIce({ iceParameters });
			this.#emit('status', 'ICE restarted');
		} catch (error) {
			// A closed socket or transport is rebuilt by the reconnect path.
			this.#emit('status', `ICE restart failed (${describeError(error)})`);
		}
	}

	async #produce(publication: Publication, generation: number): Promise<void> {
		if (generation !== this.#generation || publication.producedIn === generation) {
			return;
		}

		publication.producedIn = generation;

		// The send transport is made once per join, by the first publication.
		this.#sendTransport ??= this.#createTransport('send', generation);

		const transport = await this.#sendTransport;

		if (generation !== this.#generation) {
			return;
		}

		const producer = await transport.produce({
			track: publication.track,
			encodings: publication.simulcast ? SIMULCAST_ENCODINGS : undefined,
			// The page keeps the track across rebuilds; the producer must not stop it.
			stopTracks: false,
			appData: { source: publication.source },
		});

		publication.producer = producer;
	}

	async #consume(producer: ProducerInfo, generation: number): Promise<void> {
		const transport = this.#recvTransport;
		const device = this.#device;

		if (
			transport === undefined ||
			device === undefined ||
			generation !== this.#generation ||
			producer.peerId === this.#peerId
		) {
			return;
		}

		const info = await this.#request('media:consume', {
			transportId: transport.id,
			producerId: producer.producerId,
			rtpCapabilities: device.recvRtpCapabilities,
		});

		if (generation !== this.#generation) {
			return;
		}

		const consumer = await transport.consume({
			id: info.consumerId,
			producerId: info.producerId,
			kind: info.kind,
			rtpParameters: info.rtpParameters,
		});
		const remote: RemoteTrack = { consumerId: consumer.id, producer, track: consumer.track };

		this.#consumers.set(consumer.id, consumer);
		this.remotes.set(consumer.id, remote);
		this.#emit('remoteAdded', remote);
		await this.#request('media:resumeConsumer', { consumerId: consumer.id });
	}

	#dropConsumer(consumerId: string): void {
		this.#consumers.get(consumerId)?.close();
		this.#consumers.delete(consumerId);
		if (this.remotes.delete(consumerId)) {
			this.#emit('remoteRemoved', consumerId);
		}
	}

	/** Closes the local transports and forgets remote tracks; the server side is gone. */
	#teardown(): void {
		void this.#sendTransport?.then((transport) => transport.close()).catch(() => undefined);
		this.#recvTransport?.close();
		this.#sendTransport = undefined;
		this.#recvTransport = undefined;
		for (const publication of this.#publications.values()) {
			publication.producer = undefined;
		}

		for (const consumerId of [...this.#consumers.keys()]) {
			this.#dropConsumer(consumerId);
		}
	}

	#requireDevice(): Device {
		if (this.#device === undefined) {
			throw new Error('device not loaded');
		}

		return this.#device;
	}

	async #request<Name extends MediaRequestName>(
		name: Name,
		payload: MediaRequest<Name>,
	): Promise<MediaReplies[Name]> {
		const reply = (await this.socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(name, payload)) as Ack<
			MediaReplies[Name]
		>;

		if (!reply.ok) {
			throw new RequestError(reply.error);
		}

		return reply.data;
	}

	#listen<Name extends keyof MediaNotifications>(
		name: Name,
		handler: (payload: MediaNotifications[Name]) => void,
	): void {
		const event: string = name;

		this.socket.on(event, handler);
	}

	#emit<Name extends keyof MediaSessionEvents>(
		name: Name,
		...args: Parameters<MediaSessionEvents[Name]>
	): void {
		const handler = this.#handlers[name] as ((...values: typeof args) => void) | undefined;

		handler?.(...args);
	}
}

function isSource(value: unknown): value is MediaSource {
	return value === 'camera' || value === 'microphone' || value === 'screen';
}

function numberOr0(value: unknown): number {
	return typeof value === 'number' ? value : 0;
}
