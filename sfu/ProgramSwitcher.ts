import { randomInt } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { once } from 'node:events';

import type { types } from 'mediasoup';
import { isRtp, RtpPacket, SenderReportPacket } from 'rtp.js/packets';

import type { Logger } from '../common/logger.ts';
import type { ProducerAppData } from './MediaPeer.ts';
import type { Program } from './Program.ts';
import { programSdp } from './programSdp.ts';
import { slateKeyframe } from './slate.ts';
import { packetizeVp8, readVp8Descriptor, writeVp8PictureId } from './vp8.ts';

type Producer = types.Producer<ProducerAppData>;

/** Where one receiver listens: RTP on each port, RTCP on port + 1. */
export interface ProgramDestination {
	host: string;
	video: number;
	/** One port per audio slot of the switcher. */
	audio: readonly number[];
}

/** One receiver's share of the program. */
export interface ProgramOutput {
	/** What the receiver's ffmpeg reads: one VP8 stream and one Opus stream per slot. */
	readonly sdp: string;
	/** Asks the current video source for a keyframe (the receiver's ffmpeg just started). */
	requestKeyFrame(): void;
	/** Stops sending to this receiver; idempotent. */
	close(): void;
}

const VIDEO_PAYLOAD_TYPE = 96;
const AUDIO_PAYLOAD_TYPE = 111;
const VIDEO_CLOCK = 90_000;
const AUDIO_CLOCK = 48_000;
/** Opus frames of 20 ms, the size browsers send. */
const OPUS_FRAME_MS = 20;
/** An Opus packet of 20 ms of silence (CELT, full band). */
const OPUS_SILENCE = Uint8Array.of(0xf8, 0xff, 0xfe);
/** A slot whose source has been quiet this long is filled with silence. */
const SILENCE_AFTER_MS = 60;
/** A video source quiet this long gives way to the slate until it sends a keyframe again. */
const VIDEO_STALL_MS = 1000;
const SLATE_INTERVAL_MS = 100;
const TICK_MS = 20;
const REPORT_INTERVAL_MS = 1000;
/** Seconds from the NTP epoch (1900) to the Unix epoch. */
const NTP_EPOCH_OFFSET = 2_208_988_800;

/** One outgoing RTP stream, the same for every receiver. */
class OutgoingStream {
	readonly ssrc = randomInt(1, 2 ** 32 - 1);
	readonly payloadType: number;
	readonly clockRate: number;
	#sequence = randomInt(0, 2 ** 16);
	/** The last timestamp sent, and when (ms). */
	lastTimestamp = randomInt(0, 2 ** 31);
	lastSentAt: number | undefined;
	lastPictureId = randomInt(0, 2 ** 15);
	packets = 0;
	octets = 0;

	constructor(payloadType: number, clockRate: number) {
		this.payloadType = payloadType;
		this.clockRate = clockRate;
	}

	/** The timestamp of the instant `now` on this stream's clock. */
	timestampAt(now: number): number {
		const elapsed = this.lastSentAt === undefined ? 0 : now - this.lastSentAt;

		return (this.lastTimestamp + Math.round((elapsed * this.clockRate) / 1000)) >>> 0;
	}

	/**
	 * A timestamp for a new source's first packet: now, but after the last
	 * one sent by at least `minStep`, so the stream never runs backwards.
	 */
	nextStart(now: number, minStep: number): number {
		const atNow = this.timestampAt(now);
		const after = (this.lastTimestamp + minStep) >>> 0;

		return this.lastSentAt === undefined || ((atNow - after) | 0) > 0 ? atNow : after;
	}

	/** Sets this stream's header fields on a packet about to leave. */
	stamp(packet: RtpPacket, timestamp: number, now: number): void {
		packet.setPayloadType(this.payloadType);
		packet.setSsrc(this.ssrc);
		packet.setSequenceNumber(this.#sequence);
		packet.setTimestamp(timestamp);
		this.#sequence = (this.#sequence + 1) & 0xffff;
		this.lastTimestamp = timestamp;
		this.lastSentAt = now;
		this.packets++;
		this.octets += packet.getPayload().byteLength;
	}
}

/** A producer consumed into the switcher. */
interface Input {
	producerId: string;
	consumer: types.Consumer;
	/** Added to the source's timestamps (mod 2^32) to place them on the outgoing stream. */
	timestampOffset: number;
	pictureIdOffset: number;
	/** When a packet of it last left (ms); undefined until it is locked onto its stream. */
	lastForwardedAt: number | undefined;
}

/** An audio slot: one outgoing Opus stream, fed by one microphone or by silence. */
interface AudioSlot {
	stream: OutgoingStream;
	input: Input | undefined;
}

/**
 * One class's program as continuous RTP: one VP8 stream, switched between
 * the teacher's screen share and camera (at a keyframe of the new source),
 * and a fixed number of Opus slots, each fed by one microphone of the
 * program. A missing picture becomes the slate and a missing or quiet
 * microphone becomes silence, and sequence numbers, timestamps and VP8
 * picture ids run on across every change, so an ffmpeg reading it never
 * has to start again when the program changes. Sender reports give its
 * receivers one clock for audio and video. It sends the same packets to
 * every receiver (the HLS ladder beside it, the recorder elsewhere).
 */
export class ProgramSwitcher {
	readonly slots: number;
	readonly #router: types.Router;
	readonly #transport: types.PlainTransport;
	readonly #socket: Socket;
	readonly #slate: Uint8Array;
	readonly #logger: Logger;
	readonly #video = new OutgoingStream(VIDEO_PAYLOAD_TYPE, VIDEO_CLOCK);
	readonly #audio: AudioSlot[];
	/** Inputs by the SSRC their consumer sends with. */
	readonly #inputs = new Map<number, Input>();
	readonly #destinations = new Set<ProgramDestination>();
	#videoSource: Input | undefined;
	/** The video source to switch to at its next keyframe. */
	#pendingVideo: Input | undefined;
	#lastSlateAt = 0;
	#lastReportAt = 0;
	/** Program changes run one after another. */
	#queue: Promise<void> = Promise.resolve();
	readonly #timer: NodeJS.Timeout;
	#closed = false;

	private constructor(
		router: types.Router,
		transport: types.PlainTransport,
		socket: Socket,
		slate: Uint8Array,
		slots: number,
		logger: Logger,
	) {
		this.slots = slots;
		this.#router = router;
		this.#transport = transport;
		this.#socket = socket;
		this.#slate = slate;
		this.#logger = logger.child({ component: 'program-switcher' });
		this.#audio = Array.from({ length: slots }, () => ({
			stream: new OutgoingStream(AUDIO_PAYLOAD_TYPE, AUDIO_CLOCK),
			input: undefined,
		}));
		socket.on('message', (message, remote) => this.#onMessage(message, remote));
		this.#timer = setInterval(() => this.#tick(), TICK_MS);
		this.#timer.unref();
	}

	/** A switcher on `router` with `slots` microphones in its mix (at least one). */
	static async create(
		router: types.Router,
		options: { slots: number; logger: Logger },
	): Promise<ProgramSwitcher> {
		if (!Number.isInteger(options.slots) || options.slots < 1) {
			throw new TypeError('a program switcher needs at least one audio slot');
		}

		const slate = await slateKeyframe();
		const socket = createSocket('udp4');

		// NOTE: bound on every address so it can send to receivers on other
		// hosts; it takes packets from the SFU on loopback only.
		socket.bind(0, '0.0.0.0');
		await once(socket, 'listening');

		try {
			const transport = await router.createPlainTransport({
				listenIp: '127.0.0.1',
				rtcpMux: true,
				comedia: false,
			});

			await transport.connect({ ip: '127.0.0.1', port: socket.address().port });

			return new ProgramSwitcher(router, transport, socket, slate, options.slots, options.logger);
		} catch (error) {
			socket.close();
			throw error;
		}
	}

	get closed(): boolean {
		return this.#closed;
	}

	/** What is on air now: the video producer (undefined: the slate) and each slot's microphone. */
	get state(): { video: string | undefined; audio: (string | undefined)[] } {
		return {
			video: this.#videoSource?.producerId,
			audio: this.#audio.map((slot) => slot.input?.producerId),
		};
	}

	/** Sends the program to a receiver from now on. */
	addOutput(destination: ProgramDestination): ProgramOutput {
		if (destination.audio.length !== this.slots) {
			throw new TypeError(`a receiver needs ${this.slots} audio ports`);
		}

		const [first, ...more] = this.#audio.map((slot, index) => ({
			port: destination.audio[index] ?? 0,
			payloadType: slot.stream.payloadType,
			codec: 'opus',
			clockRate: AUDIO_CLOCK,
			channels: 2,
		}));

		if (first === undefined) {
			throw new TypeError('no audio slot');
		}

		this.#destinations.add(destination);

		return {
			sdp: programSdp({
				host: destination.host,
				video: {
					port: destination.video,
					payloadType: VIDEO_PAYLOAD_TYPE,
					codec: 'VP8',
					clockRate: VIDEO_CLOCK,
				},
				audio: first,
				moreAudio: more,
			}),
			requestKeyFrame: () => this.requestKeyFrame(),
			close: () => {
				this.#destinations.delete(destination);
			},
		};
	}

	/** Asks the current video source for a keyframe; the slate is nothing but keyframes. */
	requestKeyFrame(): void {
		const source = this.#pendingVideo ?? this.#videoSource;

		void source?.consumer.requestKeyFrame().catch(() => undefined);
	}

	/** Follows a program change: a new picture at its next keyframe, microphones into free slots. */
	follow(program: Program | undefined): Promise<void> {
		this.#queue = this.#queue
			.then(() => (this.#closed ? undefined : this.#apply(program)))
			.catch((error: unknown) => this.#logger.warn({ err: error }, 'program change failed'));

		return this.#queue;
	}

	/** Closes the inputs and the socket; idempotent. */
	close(): void {
		if (this.#closed) {
			return;
		}

		this.#closed = true;
		clearInterval(this.#timer);
		this.#destinations.clear();
		this.#transport.close();
		this.#socket.close();
	}

	async #apply(program: Program | undefined): Promise<void> {
		const video = program?.video;
		const wantedVideo = video?.id;

		if (wantedVideo !== (this.#pendingVideo ?? this.#videoSource)?.producerId) {
			this.#dropPendingVideo();
			if (video === undefined) {
				this.#dropInput(this.#videoSource);
				this.#videoSource = undefined;
			} else if (wantedVideo !== this.#videoSource?.producerId) {
				this.#pendingVideo = await this.#consume(video, 'video/VP8');
				this.requestKeyFrame();
			}
		}

		const microphones = (program?.audio ?? []).slice(0, this.slots);
		const wanted = new Set(microphones.map((producer) => producer.id));

		for (const slot of this.#audio) {
			if (slot.input !== undefined && !wanted.has(slot.input.producerId)) {
				this.#dropInput(slot.input);
				slot.input = undefined;
			}
		}

		for (const microphone of microphones) {
			const slot = this.#audio.find((candidate) => candidate.input === undefined);

			if (slot !== undefined && !this.#audio.some((s) => s.input?.producerId === microphone.id)) {
				slot.input = await this.#consume(microphone, 'audio/opus');
			}
		}

		if ((program?.audio.length ?? 0) > this.slots) {
			this.#logger.warn(
				{ microphones: program?.audio.length, slots: this.slots },
				'more microphones than mix slots; the first ones are heard',
			);
		}
	}

	async #consume(producer: Producer, mimeType: string): Promise<Input | undefined> {
		const consumer = await this.#transport.consume({
			producerId: producer.id,
			rtpCapabilities: this.#router.rtpCapabilities,
		});
		const codec = consumer.rtpParameters.codecs[0]?.mimeType.toLowerCase();
		const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;

		if (codec !== mimeType.toLowerCase() || ssrc === undefined || this.#closed) {
			consumer.close();
			this.#logger.warn({ producerId: producer.id, codec }, 'cannot put this producer on air');

			return undefined;
		}

		const input: Input = {
			producerId: producer.id,
			consumer,
			timestampOffset: 0,
			pictureIdOffset: 0,
			lastForwardedAt: undefined,
		};

		this.#inputs.set(ssrc, input);
		consumer.observer.once('close', () => this.#inputs.delete(ssrc));

		return input;
	}

	#dropInput(input: Input | undefined): void {
		input?.consumer.close();
	}

	#dropPendingVideo(): void {
		if (this.#pendingVideo !== undefined && this.#pendingVideo !== this.#videoSource) {
			this.#dropInput(this.#pendingVideo);
		}

		this.#pendingVideo = undefined;
	}

	#onMessage(message: Buffer, remote: RemoteInfo): void {
		const view = new DataView(message.buffer, message.byteOffset, message.byteLength);

		// RTCP from the SFU (its sender reports) is not needed: the switcher
		// keeps its own clock.
		if (remote.address !== '127.0.0.1' || !isRtp(view)) {
			return;
		}

		const packet = new RtpPacket(view);
		const input = this.#inputs.get(packet.getSsrc());
		const now = Date.now();

		if (input === undefined || input.consumer.closed) {
			return;
		}

		if (input.consumer.kind === 'video') {
			this.#onVideo(packet, input, now);
		} else {
			this.#onAudio(packet, input, now);
		}
	}

	#onVideo(packet: RtpPacket, input: Input, now: number): void {
		const payload = packet.getPayload();
		const descriptor = readVp8Descriptor(payload);

		if (descriptor === undefined) {
			return;
		}

		if (input === this.#pendingVideo && descriptor.keyframe) {
			if (this.#videoSource !== input) {
				this.#dropInput(this.#videoSource);
			}

			this.#videoSource = input;
			this.#pendingVideo = undefined;
			input.timestampOffset =
				(this.#video.nextStart(now, VIDEO_CLOCK / 30) - packet.getTimestamp()) >>> 0;
			input.pictureIdOffset =
				(this.#video.lastPictureId + 1 - (descriptor.pictureId ?? 0)) & 0x7fff;
			this.#logger.info({ producerId: input.producerId }, 'picture switched');
		}

		if (input !== this.#videoSource) {
			return;
		}

		if (descriptor.pictureId !== undefined) {
			const pictureId = (descriptor.pictureId + input.pictureIdOffset) & 0x7fff;

			writeVp8PictureId(payload, descriptor, pictureId);
			this.#video.lastPictureId = pictureId;
		}

		input.lastForwardedAt = now;
		this.#video.stamp(packet, (packet.getTimestamp() + input.timestampOffset) >>> 0, now);
		this.#send(packet.getView(), (destination) => destination.video);
	}

	#onAudio(packet: RtpPacket, input: Input, now: number): void {
		const index = this.#audio.findIndex((slot) => slot.input === input);
		const slot = this.#audio[index];

		if (slot === undefined) {
			return;
		}

		// After silence (or at the start) the source is placed on the stream anew.
		if (input.lastForwardedAt === undefined || now - input.lastForwardedAt >= SILENCE_AFTER_MS) {
			const frame = (AUDIO_CLOCK * OPUS_FRAME_MS) / 1000;

			input.timestampOffset = (slot.stream.nextStart(now, frame) - packet.getTimestamp()) >>> 0;
		}

		input.lastForwardedAt = now;
		slot.stream.stamp(packet, (packet.getTimestamp() + input.timestampOffset) >>> 0, now);
		this.#send(packet.getView(), (destination) => destination.audio[index] ?? 0);
	}

	/** Fills quiet slots with silence, a missing picture with the slate, and sends reports. */
	#tick(): void {
		const now = Date.now();

		this.#audio.forEach((slot, index) => this.#fillSilence(slot, index, now));

		const source = this.#videoSource;

		if (
			source !== undefined &&
			source.lastForwardedAt !== undefined &&
			now - source.lastForwardedAt > VIDEO_STALL_MS
		) {
			// The picture froze (the sender stalls): the slate stands in until
			// the source sends a keyframe again.
			this.#videoSource = undefined;
			if (this.#pendingVideo === undefined) {
				this.#pendingVideo = source;
				this.requestKeyFrame();
			} else {
				this.#dropInput(source);
			}
		}

		if (this.#videoSource === undefined && now - this.#lastSlateAt >= SLATE_INTERVAL_MS) {
			this.#lastSlateAt = now;
			this.#sendSlate(now);
		}

		if (now - this.#lastReportAt >= REPORT_INTERVAL_MS) {
			this.#lastReportAt = now;
			this.#sendReports(now);
		}
	}

	#fillSilence(slot: AudioSlot, index: number, now: number): void {
		const quietSince = slot.input?.lastForwardedAt;

		if (quietSince !== undefined && now - quietSince < SILENCE_AFTER_MS) {
			return;
		}

		const frame = (AUDIO_CLOCK * OPUS_FRAME_MS) / 1000;
		const { stream } = slot;

		// One packet per 20 ms of wall clock; after a long stall of this
		// process, the stream jumps to now rather than catching up.
		if (stream.lastSentAt === undefined || now - stream.lastSentAt > 10 * OPUS_FRAME_MS) {
			this.#sendSilence(stream, index, stream.nextStart(now, frame), now);

			return;
		}

		for (let at = stream.lastSentAt + OPUS_FRAME_MS; at <= now; at += OPUS_FRAME_MS) {
			this.#sendSilence(stream, index, (stream.lastTimestamp + frame) >>> 0, at);
		}
	}

	#sendSilence(stream: OutgoingStream, index: number, timestamp: number, at: number): void {
		const packet = new RtpPacket();

		packet.setPayload(new DataView(OPUS_SILENCE.slice().buffer));
		stream.stamp(packet, timestamp, at);
		this.#send(serialized(packet), (destination) => destination.audio[index] ?? 0);
	}

	#sendSlate(now: number): void {
		const pictureId = (this.#video.lastPictureId + 1) & 0x7fff;
		const payloads = packetizeVp8(this.#slate, pictureId);
		const timestamp = this.#video.nextStart(now, VIDEO_CLOCK / 30);

		this.#video.lastPictureId = pictureId;
		payloads.forEach((payload, index) => {
			const packet = new RtpPacket();

			packet.setPayload(new DataView(payload.buffer, payload.byteOffset, payload.byteLength));
			packet.setMarker(index === payloads.length - 1);
			this.#video.stamp(packet, timestamp, now);
			this.#send(serialized(packet), (destination) => destination.video);
		});
	}

	/** Sender reports tie every stream's timestamps to the wall clock. */
	#sendReports(now: number): void {
		const ntp = now / 1000 + NTP_EPOCH_OFFSET;
		const seconds = Math.floor(ntp);
		const fraction = Math.floor((ntp - seconds) * 2 ** 32);
		const streams: [OutgoingStream, (destination: ProgramDestination) => number][] = [
			[this.#video, (destination) => destination.video],
			...this.#audio.map(
				(slot, index) =>
					[slot.stream, (destination: ProgramDestination) => destination.audio[index] ?? 0] as [
						OutgoingStream,
						(destination: ProgramDestination) => number,
					],
			),
		];

		for (const [stream, port] of streams) {
			if (stream.lastSentAt === undefined) {
				continue;
			}

			const report = new SenderReportPacket();

			report.setSsrc(stream.ssrc);
			report.setNtpSeconds(seconds);
			report.setNtpFraction(fraction);
			report.setRtpTimestamp(stream.timestampAt(now));
			report.setPacketCount(stream.packets >>> 0);
			report.setOctetCount(stream.octets >>> 0);
			report.serialize();
			this.#send(report.getView(), (destination) => port(destination) + 1);
		}
	}

	#send(view: DataView, port: (destination: ProgramDestination) => number): void {
		const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);

		for (const destination of this.#destinations) {
			this.#socket.send(bytes, port(destination), destination.host);
		}
	}
}

function serialized(packet: RtpPacket): DataView {
	packet.serialize();

	return packet.getView();
}
