import { join } from 'node:path';

import type { S3Client } from '@aws-sdk/client-s3';
import type { types } from 'mediasoup';

import type { Logger } from '../common/logger.ts';
import { freeRtpPortPair } from '../common/udpPorts.ts';
import type { ProducerAppData } from '../sfu/MediaPeer.ts';
import type { ProgramTap } from '../sfu/ProgramTap.ts';
import type { SfuControl } from '../sfu/SfuControl.ts';
import { HlsLadder } from './HlsLadder.ts';
import { programSdp } from './programSdp.ts';
import type { Rendition } from './Rendition.ts';
import { S3Publisher } from './S3Publisher.ts';

export interface ClassProgramOptions {
	classId: string;
	control: SfuControl;
	/** The class's folder is `<rootDir>/<classId>`; the origin serves it. */
	rootDir: string;
	renditions: readonly Rendition[];
	segmentSeconds: number;
	listSize: number;
	/** Where the CDN pulls from; no upload when unset. */
	s3: { client: S3Client; bucket: string } | undefined;
	logger: Logger;
}

/** Delays after ffmpeg starts: resume the RTP, then ask for keyframes again. */
const RESUME_AFTER_MS = 600;
const KEYFRAME_RETRY_MS = [1500, 3000];

type Producer = types.Producer<ProducerAppData>;

/**
 * One class's HLS program: the teacher's screen share (else camera) and the
 * microphones of the teacher and the stage, mixed, tapped from the SFU into a supervised ffmpeg ladder, and the
 * output mirrored to S3. When the program's sources change (screen share
 * starts or stops, the teacher's stream drops and returns, a stage
 * microphone comes or goes), the tap and
 * ffmpeg are replaced and the new ffmpeg appends to the same playlists after
 * a discontinuity tag, so players keep one stream.
 */
export class ClassProgram {
	readonly #options: ClassProgramOptions;
	readonly #logger: Logger;
	readonly #producers = new Map<string, Producer>();
	readonly #publisher: S3Publisher | undefined;
	#running: { tap: ProgramTap; ladder: HlsLadder; key: string } | undefined;
	/** Changes run one after another. */
	#queue: Promise<void> = Promise.resolve();
	#publishing = false;
	#closed = false;

	constructor(options: ClassProgramOptions) {
		this.#options = options;
		this.#logger = options.logger.child({ classId: options.classId, component: 'hls' });
		this.#publisher =
			options.s3 === undefined
				? undefined
				: new S3Publisher({
						s3: options.s3.client,
						bucket: options.s3.bucket,
						prefix: `live/${options.classId}`,
						dir: this.outputDir,
						logger: this.#logger,
					});
	}

	get outputDir(): string {
		return join(this.#options.rootDir, this.#options.classId);
	}

	/** The running ladder (its ffmpeg's pid, restarts), if the program is on air. */
	get ladder(): HlsLadder | undefined {
		return this.#running?.ladder;
	}

	/**
	 * A producer that may become part of the program: the teacher's camera,
	 * screen or microphone, or a stage member's microphone.
	 */
	addProducer(producer: Producer): void {
		const { role, source } = producer.appData;

		if (this.#closed || (role !== 'teacher' && source !== 'microphone')) {
			return;
		}

		this.#producers.set(producer.id, producer);
		producer.observer.once('close', () => {
			this.#producers.delete(producer.id);
			this.#reconcile();
		});
		// NOTE: a paused producer sends nothing, and a mix input that gets no
		// packets would hold the whole mix back, so pausing leaves the program.
		producer.observer.on('pause', () => this.#reconcile());
		producer.observer.on('resume', () => this.#reconcile());
		this.#reconcile();
	}

	/** Stops ffmpeg and the tap, then the upload; idempotent. */
	async close(): Promise<void> {
		if (this.#closed) {
			return this.#queue;
		}

		this.#closed = true;
		this.#producers.clear();
		this.#queue = this.#queue.then(() => this.#stop());
		await this.#queue;
		// The last upload may miss segments ffmpeg deleted meanwhile; they
		// have left the live window anyway.
		await this.#publisher
			?.close()
			.catch((error: unknown) => this.#logger.warn({ err: error }, 'last upload failed'));
		this.#logger.info('program closed');
	}

	/**
	 * What the program should carry now: the teacher's screen before the
	 * camera, and every sending microphone (the teacher's first, then the
	 * stage's) for the mix.
	 */
	#wanted(): { video: Producer; audio: Producer[] } | undefined {
		const producers = [...this.#producers.values()].filter(
			(producer) => !producer.closed && !producer.paused,
		);
		const teacher = producers.filter((producer) => producer.appData.role === 'teacher');
		const video =
			teacher.find((producer) => producer.appData.source === 'screen') ??
			teacher.find((producer) => producer.appData.source === 'camera');
		const audio = producers
			.filter((producer) => producer.appData.source === 'microphone')
			.sort((a, b) => Number(b.appData.role === 'teacher') - Number(a.appData.role === 'teacher'));

		return video === undefined || audio.length === 0 ? undefined : { video, audio };
	}

	#reconcile(): void {
		this.#queue = this.#queue
			.then(async () => {
				if (this.#closed) {
					return;
				}

				const wanted = this.#wanted();
				const key =
					wanted === undefined
						? ''
						: [wanted.video, ...wanted.audio].map((producer) => producer.id).join('+');

				if (
					this.#running !== undefined &&
					(this.#running.key !== key || this.#running.tap.closed)
				) {
					await this.#stop();
				}

				if (this.#running === undefined && wanted !== undefined) {
					await this.#start(wanted, key);
				}
			})
			.catch((error: unknown) => this.#logger.error({ err: error }, 'program change failed'));
	}

	async #start(wanted: { video: Producer; audio: Producer[] }, key: string): Promise<void> {
		const ports = await distinctPortPairs(1 + wanted.audio.length);
		const [videoPort = 0, ...audioPorts] = ports;
		const tap = await this.#options.control.tapProgram(
			this.#options.classId,
			{ video: wanted.video.id, audio: wanted.audio.map((producer) => producer.id) },
			{ video: videoPort, audio: audioPorts },
		);
		const ladder = new HlsLadder({
			sdp: programSdp(tap.program),
			outputDir: this.outputDir,
			renditions: this.#options.renditions,
			audioInputs: wanted.audio.length,
			segmentSeconds: this.#options.segmentSeconds,
			listSize: this.#options.listSize,
			logger: this.#logger,
		});

		// NOTE: 'started' fires when ffmpeg is spawned, before it has bound its
		// ports; the RTP is resumed a moment later, and every (re)start asks
		// for keyframes so the first segment of the run decodes.
		ladder.process.on('started', () => {
			setTimeout(() => {
				tap.resume().catch((error: unknown) => this.#logger.warn({ err: error }, 'resume failed'));
			}, RESUME_AFTER_MS).unref();
			for (const delay of KEYFRAME_RETRY_MS) {
				setTimeout(() => {
					tap.requestKeyFrame().catch(() => undefined);
				}, delay).unref();
			}
		});
		this.#running = { tap, ladder, key };
		ladder.start();
		if (!this.#publishing) {
			this.#publishing = true;
			this.#publisher?.start();
		}

		this.#logger.info(
			{
				video: wanted.video.id,
				source: wanted.video.appData.source,
				audio: wanted.audio.map((producer) => producer.id),
			},
			'program on air',
		);
	}

	async #stop(): Promise<void> {
		const running = this.#running;

		if (running === undefined) {
			return;
		}

		this.#running = undefined;
		running.tap.close();
		await running.ladder.close();
		this.#logger.info('program off air');
	}
}

/** Free RTP port pairs, none the same (each free one is only probed, not held). */
async function distinctPortPairs(count: number): Promise<number[]> {
	const ports = new Set<number>();

	while (ports.size < count) {
		ports.add(await freeRtpPortPair());
	}

	return [...ports];
}
