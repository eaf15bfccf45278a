import type { types } from 'mediasoup';

import type { ProgramDescription, RtpStreamDescription } from '../hls-bridge/programSdp.ts';

/** Where ffmpeg listens for each stream: RTP on `port`, RTCP on `port + 1`. */
export interface ProgramPorts {
	video: number;
	audio: readonly number[];
}

const LOOPBACK = '127.0.0.1';

/**
 * The class's program taken out of its router as plain RTP: one
 * PlainTransport per stream, sending to ports ffmpeg listens on, with a
 * consumer created paused so nothing is lost before ffmpeg reads. The owner
 * resumes it once ffmpeg runs and asks for a keyframe on every (re)start so
 * segments begin clean. Closing it closes its transports and consumers.
 */
export class ProgramTap {
	readonly program: ProgramDescription;
	readonly #transports: types.PlainTransport[];
	readonly #consumers: types.Consumer[];
	#closed = false;

	private constructor(
		program: ProgramDescription,
		transports: types.PlainTransport[],
		consumers: types.Consumer[],
	) {
		this.program = program;
		this.#transports = transports;
		this.#consumers = consumers;
	}

	/**
	 * Taps a video producer and one or more audio producers of `router`,
	 * sending to `ports` on loopback (one audio port per audio producer).
	 */
	static async create(
		router: types.Router,
		producers: { video: types.Producer; audio: readonly types.Producer[] },
		ports: ProgramPorts,
	): Promise<ProgramTap> {
		const transports: types.PlainTransport[] = [];

		if (producers.audio.length === 0 || producers.audio.length !== ports.audio.length) {
			throw new TypeError('one audio port per audio producer, at least one');
		}

		try {
			const video = await tapOne(router, producers.video, ports.video, transports);
			const audio: RtpStreamDescription[] = [];
			const consumers = [video];

			for (const [index, producer] of producers.audio.entries()) {
				const port = ports.audio[index] ?? 0;
				const consumer = await tapOne(router, producer, port, transports);

				consumers.push(consumer);
				audio.push(describeStream(consumer, port));
			}

			const [first, ...more] = audio;

			if (first === undefined) {
				throw new TypeError('no audio stream');
			}

			return new ProgramTap(
				{ video: describeStream(video, ports.video), audio: first, moreAudio: more },
				transports,
				consumers,
			);
		} catch (error) {
			for (const transport of transports) {
				transport.close();
			}

			throw error;
		}
	}

	get closed(): boolean {
		return this.#closed || this.#consumers.some((consumer) => consumer.closed);
	}

	/** Fires when one of the tapped producers closes (the teacher stopped or left). */
	onProducerClose(listener: () => void): void {
		for (const consumer of this.#consumers) {
			consumer.observer.once('close', listener);
		}
	}

	/** Starts the RTP flowing (after ffmpeg listens) and asks for a keyframe. */
	async resume(): Promise<void> {
		await Promise.all(
			this.#consumers.filter((consumer) => !consumer.closed).map((consumer) => consumer.resume()),
		);
		await this.requestKeyFrame();
	}

	/** Asks the sender for a keyframe, so ffmpeg's next segment starts decodable. */
	async requestKeyFrame(): Promise<void> {
		const video = this.#consumers.find((consumer) => consumer.kind === 'video');

		if (video !== undefined && !video.closed) {
			await video.requestKeyFrame();
		}
	}

	/** Closes the transports (and so the consumers); idempotent. */
	close(): void {
		if (this.#closed) {
			return;
		}

		this.#closed = true;
		for (const transport of this.#transports) {
			transport.close();
		}
	}
}

async function tapOne(
	router: types.Router,
	producer: types.Producer,
	port: number,
	transports: types.PlainTransport[],
): Promise<types.Consumer> {
	// NOTE: comedia off and RTCP apart: ffmpeg's RTP input listens on a port
	// pair and never sends first, so the SFU must know where to send.
	const transport = await router.createPlainTransport({
		listenIp: LOOPBACK,
		rtcpMux: false,
		comedia: false,
	});

	transports.push(transport);
	await transport.connect({ ip: LOOPBACK, port, rtcpPort: port + 1 });

	// The router's own capabilities accept every codec a producer can use;
	// for simulcast mediasoup prefers the highest layer by default.
	return transport.consume({
		producerId: producer.id,
		rtpCapabilities: router.rtpCapabilities,
		paused: true,
	});
}

/** The SDP description of what a consumer sends, from its negotiated RTP parameters. */
function describeStream(consumer: types.Consumer, port: number): RtpStreamDescription {
	const [codec] = consumer.rtpParameters.codecs;

	if (codec === undefined) {
		throw new TypeError(`consumer ${consumer.id} has no codec`);
	}

	// NOTE: mediasoup types codec parameters loosely; they are flat key=value pairs.
	const given: unknown = codec.parameters;
	const parameters = (typeof given === 'object' && given !== null ? Object.entries(given) : [])
		.filter(([key]) => !key.startsWith('x-google'))
		.map(([key, value]) => [key, String(value)] as const);

	return {
		port,
		payloadType: codec.payloadType,
		codec: codec.mimeType.split('/')[1] ?? codec.mimeType,
		clockRate: codec.clockRate,
		...(codec.channels === undefined ? {} : { channels: codec.channels }),
		...(parameters.length === 0
			? {}
			: { fmtp: parameters.map(([key, value]) => `${key}=${value}`).join(';') }),
	};
}
