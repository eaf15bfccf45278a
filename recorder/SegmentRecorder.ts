import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import ffmpeg from 'fluent-ffmpeg';

import type { Logger } from '../common/logger.ts';
import {
	audioStreamsOf,
	PROGRAM_H264_OPTIONS,
	PROGRAM_INPUT_OPTIONS,
	programAudioMix,
} from '../common/programInput.ts';
import { SupervisedFfmpeg } from '../common/SupervisedFfmpeg.ts';

export interface SegmentRecorderOptions {
	/** The program's SDP (see sfu/programSdp.ts). */
	sdp: string;
	/** The class's local recording folder. */
	dir: string;
	segmentSeconds: number;
	width: number;
	height: number;
	videoKbps: number;
	logger: Logger;
}

/** The playlist the recorder appends to; it lists only finished segments. */
export const RECORDING_PLAYLIST = 'index.m3u8';

/**
 * Records the program as short MPEG-TS segments and an event playlist that
 * only ever grows. A segment is complete once the playlist names it, so a
 * crash loses at most the segment being written; a restart appends after a
 * discontinuity.
 */
export class SegmentRecorder {
	readonly process: SupervisedFfmpeg;
	readonly #options: SegmentRecorderOptions;
	readonly #sdpFile: string;

	constructor(options: SegmentRecorderOptions) {
		this.#options = options;
		this.#sdpFile = join(options.dir, 'program.sdp');
		this.process = new SupervisedFfmpeg({
			build: (resuming) => this.#command(resuming),
			marker: this.#sdpFile,
			logger: options.logger,
		});
	}

	start(): void {
		mkdirSync(this.#options.dir, { recursive: true });
		writeFileSync(this.#sdpFile, this.#options.sdp);
		this.process.start();
	}

	/** Stops ffmpeg, which finishes its last segment and lists it; idempotent. */
	close(): Promise<void> {
		return this.process.close();
	}

	#command(afterCrash: boolean): ffmpeg.FfmpegCommand {
		const { dir, segmentSeconds, width, height, videoKbps } = this.#options;
		const resuming = afterCrash || existsSync(join(dir, RECORDING_PLAYLIST));

		const slots = audioStreamsOf(this.#options.sdp);
		const picture =
			`[0:v]scale=w=${width}:h=${height}:force_original_aspect_ratio=decrease,` +
			`pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1[v]`;

		// Options as separate arguments: fluent-ffmpeg splits a lone string
		// holding one space.
		return (
			ffmpeg(this.#sdpFile)
				.inputOptions([...PROGRAM_INPUT_OPTIONS])
				// The stage's microphones in one track: a replay plays one audio track.
				.complexFilter(slots > 1 ? [picture, `${programAudioMix(slots)}[a]`] : [picture])
				.outputOptions(
					...['-map', '[v]', '-map', slots > 1 ? '[a]' : '0:a'],
					...PROGRAM_H264_OPTIONS,
					...['-r', '30', '-b:v', `${videoKbps}k`, '-sc_threshold', '0'],
					...['-force_key_frames', `expr:gte(t,n_forced*${segmentSeconds})`],
					...['-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2'],
					...['-f', 'hls', '-hls_time', String(segmentSeconds), '-hls_list_size', '0'],
					...['-hls_playlist_type', 'event'],
					'-hls_flags',
					[
						'independent_segments',
						'program_date_time',
						...(resuming ? ['append_list', 'discont_start'] : []),
					].join('+'),
					...['-hls_segment_filename', join(dir, 'seg_%06d.ts')],
				)
				.output(join(dir, RECORDING_PLAYLIST))
		);
	}
}
