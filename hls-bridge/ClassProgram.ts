import { join } from 'node:path';

import type { S3Client } from '@aws-sdk/client-s3';

import type { Logger } from '../common/logger.ts';
import { requestKeyFramesWhenListening } from '../common/SupervisedFfmpeg.ts';
import { freeRtpPortPairs } from '../common/udpPorts.ts';
import type { ProgramOutput } from '../sfu/ProgramSwitcher.ts';
import type { SfuControl } from '../sfu/SfuControl.ts';
import { HlsLadder } from './HlsLadder.ts';
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

const LOOPBACK = '127.0.0.1';

/**
 * One class's HLS: the class's program (sfu/ProgramSwitcher.ts, which
 * follows the screen share, the camera and the stage's microphones by
 * itself) into one supervised ffmpeg ladder for as long as the class's
 * media runs here, and the output mirrored to S3. A program change is a
 * change of picture or of voices inside one continuous stream, never a new
 * ffmpeg; only a crashed ffmpeg is replaced, appending after a
 * discontinuity.
 */
export class ClassProgram {
	readonly #options: ClassProgramOptions;
	readonly #logger: Logger;
	readonly #publisher: S3Publisher | undefined;
	#running: Promise<{ output: ProgramOutput; ladder: HlsLadder } | undefined> | undefined;
	#ladder: HlsLadder | undefined;
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

	/** The running ladder (its ffmpeg's pid, restarts), once the program is on air. */
	get ladder(): HlsLadder | undefined {
		return this.#ladder;
	}

	/** Puts the class on air: the program's output into the ladder; once. */
	start(): void {
		this.#running ??= this.#start().catch((error: unknown) => {
			this.#logger.error({ err: error }, 'the program could not go on air');
			this.#running = undefined;

			return undefined;
		});
	}

	/**
	 * Stops ffmpeg and the output, then the upload; idempotent. `ended`: the
	 * class is over, so the playlists are marked complete before their last
	 * upload.
	 */
	async close(options: { ended?: boolean } = {}): Promise<void> {
		if (this.#closed) {
			return;
		}

		this.#closed = true;

		const running = await this.#running;

		running?.output.close();
		await running?.ladder.close();
		if (options.ended === true) {
			running?.ladder.endPlaylists();
		}
		// The last upload may miss segments ffmpeg deleted meanwhile; they
		// have left the live window anyway.
		await this.#publisher
			?.close()
			.catch((error: unknown) => this.#logger.warn({ err: error }, 'last upload failed'));
		this.#logger.info('program closed');
	}

	async #start(): Promise<{ output: ProgramOutput; ladder: HlsLadder } | undefined> {
		const { control, classId } = this.#options;
		const [video = 0, ...audio] = await freeRtpPortPairs(1 + control.programSlots);
		const output = await control.openProgramOutput(classId, { host: LOOPBACK, video, audio });

		if (this.#closed) {
			output.close();

			return undefined;
		}

		const ladder = new HlsLadder({
			sdp: output.sdp,
			outputDir: this.outputDir,
			renditions: this.#options.renditions,
			audioInputs: control.programSlots,
			segmentSeconds: this.#options.segmentSeconds,
			listSize: this.#options.listSize,
			logger: this.#logger,
		});

		ladder.process.on('started', () => {
			requestKeyFramesWhenListening(video, () => output.requestKeyFrame());
		});
		this.#ladder = ladder;
		ladder.start();
		this.#publisher?.start();
		this.#logger.info('program on air');

		return { output, ladder };
	}
}
