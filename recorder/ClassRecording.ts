import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Kysely } from 'kysely';

import type { Database } from '../app-api/db/Database.ts';
import type { Logger } from '../common/logger.ts';
import { processesMentioning } from '../common/procfs.ts';
import { requestKeyFramesWhenListening } from '../common/SupervisedFfmpeg.ts';
import { finalizeRecording, type FinalRecording } from './finalizeRecording.ts';
import { parseSegments } from './playlist.ts';
import type { OpenProgram, ProgramSource } from './ProgramSource.ts';
import { SegmentRecorder } from './SegmentRecorder.ts';
import { SegmentUploader } from './SegmentUploader.ts';
import { replayTimeline, type Timeline } from './Timeline.ts';

export interface RecordingSettings {
	db: Kysely<Database>;
	s3: S3Client;
	bucket: string;
	/** Local recordings live in `<dir>/<classId>/`. */
	dir: string;
	segmentSeconds: number;
	/** Height of the archived picture; 16:9, the program is scaled and padded to it. */
	videoHeight: number;
	keepSegments: boolean;
	timeline: Timeline;
	logger: Logger;
}

/** How long an ffmpeg left by a killed recorder gets to finish its segment. */
const ORPHAN_STOP_MS = 4000;

/** The S3 prefix of a class's recording. */
export function recordingPrefix(classId: string): string {
	return `recordings/${classId}`;
}

/**
 * One class being recorded: its program, the ffmpeg writing segments, the
 * uploader and its row in `recordings`. When the program changes (the
 * screen share starts, the teacher's stream drops and returns) ffmpeg is
 * started again on the new SDP and appends after a discontinuity; while the
 * class is off air nothing is written. finish() turns it into a VOD;
 * close() only stops it, so a restarted recorder resumes it.
 */
export class ClassRecording {
	readonly classId: string;
	readonly #settings: RecordingSettings;
	readonly #program: OpenProgram;
	readonly #uploader: SegmentUploader;
	readonly #dir: string;
	readonly #logger: Logger;
	#recorder: SegmentRecorder | undefined;
	/** Program changes run one after another. */
	#queue: Promise<void> = Promise.resolve();
	#stopping = false;
	#closed: Promise<void> | undefined;

	private constructor(
		classId: string,
		settings: RecordingSettings,
		program: OpenProgram,
		logger: Logger,
	) {
		this.classId = classId;
		this.#settings = settings;
		this.#program = program;
		this.#dir = join(settings.dir, classId);
		this.#logger = logger;
		this.#uploader = new SegmentUploader({
			s3: settings.s3,
			bucket: settings.bucket,
			prefix: recordingPrefix(classId),
			dir: this.#dir,
			logger,
		});
		program.on('change', (sdp) => this.#follow(sdp));
	}

	/** Starts (or resumes) recording a class and marks its row as recording. */
	static async start(
		classId: string,
		settings: RecordingSettings,
		source: ProgramSource,
	): Promise<ClassRecording> {
		const logger = settings.logger.child({ classId });
		const dir = join(settings.dir, classId);

		await ensureRecordingRow(settings.db, classId);
		await stopOrphanGracefully(join(dir, 'program.sdp'), logger);

		const program = await source.open(classId);
		const recording = new ClassRecording(classId, settings, program, logger);

		recording.#follow(program.sdp);
		await recording.#uploader.start();
		logger.info({ resumed: existsSync(join(dir, 'seg_000000.ts')) }, 'recording');

		return recording;
	}

	/** Stops recording and uploading what is left, without finalizing; idempotent. */
	close(finished = false): Promise<void> {
		this.#closed ??= (async () => {
			this.#stopping = true;
			await this.#queue;
			await this.#recorder?.close();
			await this.#program.close(finished);
			await this.#uploader.close();
		})();

		return this.#closed;
	}

	/** Ends the recording: everything uploaded, then the VOD, the MP4 and the row. */
	async finish(): Promise<FinalRecording> {
		await this.close(true);

		return completeRecording(this.classId, this.#settings);
	}

	/** Records the program `sdp` describes from now on; undefined stops until the next one. */
	#follow(sdp: string | undefined): void {
		this.#queue = this.#queue
			.then(async () => {
				if (this.#stopping) {
					return;
				}

				await this.#recorder?.close();
				this.#recorder = sdp === undefined ? undefined : this.#record(sdp);
				this.#logger.info({ onAir: sdp !== undefined }, 'program followed');
			})
			.catch((error: unknown) =>
				this.#logger.error({ err: error }, 'following the program failed'),
			);
	}

	#record(sdp: string): SegmentRecorder {
		const settings = this.#settings;
		const recorder = new SegmentRecorder({
			sdp,
			dir: this.#dir,
			segmentSeconds: settings.segmentSeconds,
			width: Math.round((settings.videoHeight * 16) / 9 / 2) * 2,
			height: settings.videoHeight,
			// About 3.5 kbit/s per line: 2.5 Mbit/s at 720p.
			videoKbps: Math.round(settings.videoHeight * 3.5),
			logger: this.#logger,
		});

		const videoPort = Number(/^m=video (\d+)/m.exec(sdp)?.[1] ?? Number.NaN);

		recorder.process.on('started', () => {
			requestKeyFramesWhenListening(videoPort, () => this.#program.requestKeyFrame());
		});
		recorder.start();

		return recorder;
	}
}

/**
 * Finalizes what S3 holds of a class's recording and records the result;
 * also used for a recording whose class ended while no recorder held it.
 */
export async function completeRecording(
	classId: string,
	settings: RecordingSettings,
): Promise<FinalRecording> {
	const { db, s3, bucket, logger } = settings;
	const dir = join(settings.dir, classId);

	await db
		.updateTable('recordings')
		.set({ state: 'processing' })
		.where('class_id', '=', classId)
		.where('state', '=', 'recording')
		.execute();

	try {
		const final = await finalizeRecording({
			s3,
			bucket,
			prefix: recordingPrefix(classId),
			dir: await ensureDir(dir),
			logger: logger.child({ classId }),
		});

		await writeTimeline(classId, final.vodKey, settings);
		await db
			.updateTable('recordings')
			.set({
				state: 'ready',
				playlist_key: final.vodKey,
				mp4_key: final.mp4Key,
				duration_seconds: Math.round(final.durationSeconds),
				size_bytes: final.sizeBytes,
			})
			.where('class_id', '=', classId)
			.where('state', '=', 'processing')
			.execute();

		// NOTE: the segments in S3 always stay, since the VOD playlist plays
		// them; the setting decides about the recorder's local copy.
		if (!settings.keepSegments) {
			await rm(dir, { recursive: true, force: true });
		}

		return final;
	} catch (error) {
		await db
			.updateTable('recordings')
			.set({ state: 'failed' })
			.where('class_id', '=', classId)
			.where('state', '=', 'processing')
			.execute();
		throw error;
	}
}

/** The key of a recording's timeline, beside its VOD playlist. */
export function timelineKey(classId: string): string {
	return `${recordingPrefix(classId)}/timeline.json`;
}

/** Writes `timeline.json`: the class's events placed on the VOD's time axis. */
async function writeTimeline(
	classId: string,
	vodKey: string,
	{ s3, bucket, timeline }: RecordingSettings,
): Promise<void> {
	const vod = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: vodKey }));
	const segments = parseSegments((await vod.Body?.transformToString()) ?? '');
	const replay = replayTimeline(classId, await timeline.read(classId), segments);

	if (replay === undefined) {
		throw new Error(`recording ${classId} has no program date-times to place its timeline`);
	}

	await s3.send(
		new PutObjectCommand({
			Bucket: bucket,
			Key: timelineKey(classId),
			Body: JSON.stringify(replay),
			ContentType: 'application/json',
		}),
	);
}

async function ensureDir(dir: string): Promise<string> {
	await mkdir(dir, { recursive: true });

	return dir;
}

/** Inserts the class's recording row unless an unfinished one exists. */
async function ensureRecordingRow(db: Kysely<Database>, classId: string): Promise<void> {
	const prefix = recordingPrefix(classId);

	await db.transaction().execute(async (trx) => {
		// One recorder start per class at a time: the class row is the lock.
		await trx.selectFrom('classes').select('id').where('id', '=', classId).forUpdate().execute();

		const existing = await trx
			.selectFrom('recordings')
			.select('id')
			.where('class_id', '=', classId)
			.where('state', 'in', ['recording', 'processing'])
			.executeTakeFirst();

		if (existing === undefined) {
			await trx
				.insertInto('recordings')
				.values({
					class_id: classId,
					playlist_key: `${prefix}/vod.m3u8`,
					mp4_key: `${prefix}/recording.mp4`,
					duration_seconds: 0,
					size_bytes: 0,
					state: 'recording',
				})
				.execute();
		}
	});
}

/**
 * An ffmpeg whose recorder was killed keeps recording; SIGTERM lets it
 * finish and list its current segment before the new one takes the ports,
 * so the restart loses only the new ffmpeg's start-up.
 */
async function stopOrphanGracefully(marker: string, logger: Logger): Promise<void> {
	const orphans = processesMentioning(marker);

	for (const pid of orphans) {
		logger.warn({ pid }, 'stopping the ffmpeg of a previous recorder');
		process.kill(pid, 'SIGTERM');
	}

	const deadline = Date.now() + ORPHAN_STOP_MS;

	while (processesMentioning(marker).length > 0 && Date.now() < deadline) {
		await sleep(100);
	}
}
