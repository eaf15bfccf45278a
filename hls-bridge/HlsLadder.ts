import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import ffmpeg from 'fluent-ffmpeg';

import type { Logger } from '../common/logger.ts';
import { childPids, commandLine } from '../common/procfs.ts';
import type { Rendition } from './Rendition.ts';

export interface HlsLadderOptions {
	/** The program's SDP (see programSdp.ts). */
	sdp: string;
	/** Where playlists and segments go; the origin serves this folder. */
	outputDir: string;
	renditions: readonly Rendition[];
	segmentSeconds: number;
	/** Segments kept in each live playlist. */
	listSize: number;
	logger: Logger;
}

interface HlsLadderEvents {
	/** ffmpeg runs (again); the SFU should send a keyframe now. */
	started: [pid: number | undefined];
	/** ffmpeg ended without being asked to; a restart follows. */
	crashed: [reason: string];
}

const STOP_TIMEOUT_MS = 5000;
const FRAME_RATE = 30;
const MAX_RESTART_DELAY_MS = 5000;

/**
 * One ffmpeg process that turns the program's RTP into an HLS ladder:
 * one H.264 + AAC variant per rendition, keyframes aligned on segment
 * boundaries, a master playlist and program date-times. When ffmpeg dies it
 * is started again on the same ports, appending to the same playlists after
 * a discontinuity tag, so players keep one continuous stream.
 */
export class HlsLadder extends EventEmitter<HlsLadderEvents> {
	readonly #options: HlsLadderOptions;
	readonly #sdpFile: string;
	#command: ffmpeg.FfmpegCommand | undefined;
	#exited: Promise<void> = Promise.resolve();
	#restarts = 0;
	#closed = false;

	constructor(options: HlsLadderOptions) {
		super();
		this.#options = options;
		this.#sdpFile = join(options.outputDir, 'program.sdp');
	}

	/** How often ffmpeg has been restarted after a crash. */
	get restarts(): number {
		return this.#restarts;
	}

	/** The pid of the running ffmpeg, found among this process's children. */
	get pid(): number | undefined {
		return childPids(process.pid).find((pid) => commandLine(pid).includes(this.#sdpFile));
	}

	start(): void {
		mkdirSync(this.#options.outputDir, { recursive: true });
		writeFileSync(this.#sdpFile, this.#options.sdp);
		this.#spawn(false);
	}

	/** Stops ffmpeg (letting it finish the segment it writes); safe to call twice. */
	async close(): Promise<void> {
		if (this.#closed) {
			return this.#exited;
		}

		this.#closed = true;
		this.#command?.kill('SIGTERM');

		const stopped = await Promise.race([
			this.#exited.then(() => true),
			sleep(STOP_TIMEOUT_MS).then(() => false),
		]);

		if (!stopped) {
			this.#command?.kill('SIGKILL');
			await this.#exited;
		}
	}

	#spawn(afterCrash: boolean): void {
		const { outputDir, renditions, segmentSeconds, listSize, logger } = this.#options;
		const resuming = afterCrash && existsSync(join(outputDir, `${renditions[0]?.name ?? ''}.m3u8`));
		const command = ffmpeg(this.#sdpFile)
			.inputOptions([
				'-protocol_whitelist',
				'file,rtp,udp',
				'-fflags',
				'+genpts',
				'-analyzeduration',
				'500000',
			])
			.complexFilter(ladderFilter(renditions))
			.outputOptions(
				...renditions.flatMap((_, index) => ['-map', `[v${index}]`]),
				...renditions.flatMap(() => ['-map', '0:a']),
				'-c:v',
				'libx264',
				'-preset',
				'veryfast',
				'-tune',
				'zerolatency',
				'-profile:v',
				'main',
				'-pix_fmt',
				'yuv420p',
				// A fixed output rate: RTP input carries no frame rate, and
				// ffmpeg's guess from the 90 kHz clock would duplicate frames
				// by the thousand.
				'-r',
				String(FRAME_RATE),
				// Keyframes on every segment boundary, at the same instants in
				// every rendition, so players switch rungs cleanly.
				'-sc_threshold',
				'0',
				'-force_key_frames',
				`expr:gte(t,n_forced*${segmentSeconds})`,
				...renditions.flatMap((rendition, index) => [
					`-b:v:${index}`,
					`${rendition.videoKbps}k`,
					`-maxrate:v:${index}`,
					`${Math.round(rendition.videoKbps * 1.2)}k`,
					`-bufsize:v:${index}`,
					`${rendition.videoKbps}k`,
					`-b:a:${index}`,
					`${rendition.audioKbps}k`,
				]),
				'-c:a',
				'aac',
				'-ar',
				'48000',
				'-ac',
				'2',
				'-f',
				'hls',
				'-hls_time',
				String(segmentSeconds),
				'-hls_list_size',
				String(listSize),
				'-hls_delete_threshold',
				'2',
				'-hls_flags',
				[
					'delete_segments',
					'independent_segments',
					'program_date_time',
					'omit_endlist',
					...(resuming ? ['append_list', 'discont_start'] : []),
				].join('+'),
				'-master_pl_name',
				'master.m3u8',
				'-var_stream_map',
				renditions
					.map((rendition, index) => `v:${index},a:${index},name:${rendition.name}`)
					.join(' '),
				'-hls_segment_filename',
				join(outputDir, '%v_%05d.ts'),
			)
			.output(join(outputDir, '%v.m3u8'));

		// The last lines ffmpeg wrote, for the crash log.
		const stderr: string[] = [];

		command.on('stderr', (line: string) => {
			stderr.push(line);
			if (stderr.length > 20) {
				stderr.shift();
			}

			logger.trace({ line }, 'ffmpeg');
		});
		this.#command = command;
		this.#exited = new Promise<void>((resolve) => {
			command.on('start', (commandLine: string) => {
				logger.debug({ commandLine }, 'ffmpeg command');
				const pid = this.pid;

				logger.info({ pid, resuming }, 'ffmpeg ladder started');
				this.emit('started', pid);
			});
			command.on('end', () => {
				resolve();
				this.#onExit('ffmpeg ended', stderr);
			});
			command.on('error', (error: Error) => {
				resolve();
				this.#onExit(error.message.split('\n')[0] ?? 'ffmpeg failed', stderr);
			});
		});
		command.run();
	}

	#onExit(reason: string, stderr: readonly string[]): void {
		if (this.#closed) {
			this.#options.logger.info('ffmpeg ladder stopped');

			return;
		}

		this.#restarts++;
		this.#options.logger.error(
			{ reason, restarts: this.#restarts, stderr: stderr.slice(-5) },
			'ffmpeg ladder crashed; restarting',
		);
		this.emit('crashed', reason);

		const delay = Math.min(200 * 2 ** Math.min(this.#restarts - 1, 5), MAX_RESTART_DELAY_MS);

		setTimeout(() => {
			if (!this.#closed) {
				this.#spawn(true);
			}
		}, delay).unref();
	}
}

/** Splits the program's video once per rendition and scales each copy. */
function ladderFilter(renditions: readonly Rendition[]): string {
	const split = `[0:v]split=${renditions.length}${renditions.map((_, index) => `[s${index}]`).join('')}`;
	const scales = renditions.map(
		(rendition, index) =>
			`[s${index}]scale=w=${rendition.width}:h=${rendition.height}:force_original_aspect_ratio=decrease,` +
			`pad=${rendition.width}:${rendition.height}:(ow-iw)/2:(oh-ih)/2,setsar=1[v${index}]`,
	);

	return [split, ...scales].join(';');
}
