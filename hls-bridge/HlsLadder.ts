import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import ffmpeg from 'fluent-ffmpeg';

import type { Logger } from '../common/logger.ts';
import {
	PROGRAM_H264_OPTIONS,
	PROGRAM_INPUT_OPTIONS,
	programAudioMix,
} from '../common/programInput.ts';
import { SupervisedFfmpeg } from '../common/SupervisedFfmpeg.ts';
import type { Rendition } from './Rendition.ts';

export interface HlsLadderOptions {
	/** The program's SDP (see sfu/programSdp.ts). */
	sdp: string;
	/** Where playlists and segments go; the origin serves this folder. */
	outputDir: string;
	renditions: readonly Rendition[];
	/** Audio streams in the SDP; more than one are mixed into one track. */
	audioInputs?: number;
	segmentSeconds: number;
	/** Segments kept in each live playlist. */
	listSize: number;
	logger: Logger;
}

const FRAME_RATE = 30;

/**
 * The ffmpeg that turns the program's RTP into an HLS ladder: one H.264 +
 * AAC variant per rendition, keyframes aligned on segment boundaries, a
 * master playlist and program date-times. When ffmpeg dies it is started
 * again on the same ports, appending to the same playlists after a
 * discontinuity tag, so players keep one continuous stream; a new ladder
 * started on a folder that holds playlists continues them the same way (the
 * program's source changed). Listen to
 * `process` for `started` (request a keyframe) and `crashed`.
 */
export class HlsLadder {
	readonly process: SupervisedFfmpeg;
	readonly #options: HlsLadderOptions;
	readonly #sdpFile: string;
	/** The folder holds a previous run's playlists (the program changed): append to them. */
	#continuing = false;

	constructor(options: HlsLadderOptions) {
		this.#options = options;
		this.#sdpFile = join(options.outputDir, 'program.sdp');
		this.process = new SupervisedFfmpeg({
			build: (resuming) => ladderCommand(this.#sdpFile, options, resuming || this.#continuing),
			marker: this.#sdpFile,
			logger: options.logger,
		});
	}

	start(): void {
		mkdirSync(this.#options.outputDir, { recursive: true });
		this.#continuing = existsSync(playlistOf(this.#options));
		writeFileSync(this.#sdpFile, this.#options.sdp);
		this.process.start();
	}

	/** Stops ffmpeg, letting it finish the segment it writes; idempotent. */
	close(): Promise<void> {
		return this.process.close();
	}

	/**
	 * Marks every playlist as complete (`#EXT-X-ENDLIST`), so players stop
	 * at the last segment instead of waiting for more; after close(), once
	 * the class has ended.
	 */
	endPlaylists(): void {
		for (const rendition of this.#options.renditions) {
			const playlist = join(this.#options.outputDir, `${rendition.name}.m3u8`);

			if (existsSync(playlist) && !readFileSync(playlist, 'utf8').includes('#EXT-X-ENDLIST')) {
				appendFileSync(playlist, '#EXT-X-ENDLIST\n');
			}
		}
	}
}

function ladderCommand(
	sdpFile: string,
	options: HlsLadderOptions,
	continuing: boolean,
): ffmpeg.FfmpegCommand {
	const { outputDir, renditions, segmentSeconds, listSize } = options;
	const resuming = continuing && existsSync(playlistOf(options));

	return ffmpeg(sdpFile)
		.inputOptions([...PROGRAM_INPUT_OPTIONS])
		.complexFilter(ladderFilter(renditions, options.audioInputs ?? 1))
		.outputOptions(
			...renditions.flatMap((_, index) => ['-map', `[v${index}]`]),
			...renditions.flatMap((_, index) => [
				'-map',
				(options.audioInputs ?? 1) > 1 ? `[a${index}]` : '0:a',
			]),
			...PROGRAM_H264_OPTIONS,
			'-profile:v',
			'main',
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
}

/** The first rendition's live playlist. */
function playlistOf(options: HlsLadderOptions): string {
	return join(options.outputDir, `${options.renditions[0]?.name ?? ''}.m3u8`);
}

/**
 * Splits the program's video once per rendition and scales each copy; with
 * several audio inputs, mixes them (common/programInput.ts) and splits
 * the mix once per rendition.
 */
function ladderFilter(renditions: readonly Rendition[], audioInputs: number): string {
	const split = `[0:v]split=${renditions.length}${renditions.map((_, index) => `[s${index}]`).join('')}`;
	const scales = renditions.map(
		(rendition, index) =>
			`[s${index}]scale=w=${rendition.width}:h=${rendition.height}:force_original_aspect_ratio=decrease,` +
			`pad=${rendition.width}:${rendition.height}:(ow-iw)/2:(oh-ih)/2,setsar=1[v${index}]`,
	);

	const mix =
		audioInputs > 1
			? [
					`${programAudioMix(audioInputs)},` +
						`asplit=${renditions.length}${renditions.map((_, index) => `[a${index}]`).join('')}`,
				]
			: [];

	return [split, ...scales, ...mix].join(';');
}
