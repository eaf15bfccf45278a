import { createReadStream, existsSync, writeFileSync } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import ffmpeg from 'fluent-ffmpeg';

import type { Logger } from '../common/logger.ts';
import { parseSegments, vodPlaylist } from './playlist.ts';
import { RECORDING_PLAYLIST } from './SegmentRecorder.ts';

export interface FinalizeOptions {
	s3: S3Client;
	bucket: string;
	/** Where the segments are, e.g. `recordings/<classId>`. */
	prefix: string;
	/** The class's local recording folder; missing segments are fetched from S3. */
	dir: string;
	logger: Logger;
}

export interface FinalRecording {
	vodKey: string;
	mp4Key: string;
	durationSeconds: number;
	/** The MP4's size. */
	sizeBytes: number;
	segments: number;
}

/**
 * Turns an uploaded recording into its final form: a VOD playlist over the
 * segments already in S3, and one MP4 for download made by copying the
 * segments' streams (no re-encoding).
 */
export async function finalizeRecording(options: FinalizeOptions): Promise<FinalRecording> {
	const { s3, bucket, prefix, dir, logger } = options;
	const playlist = await getText(s3, bucket, `${prefix}/${RECORDING_PLAYLIST}`);
	const segments = parseSegments(playlist);

	if (segments.length === 0) {
		throw new Error(`recording ${prefix} has no segments`);
	}

	const vodKey = `${prefix}/vod.m3u8`;

	await s3.send(
		new PutObjectCommand({
			Bucket: bucket,
			Key: vodKey,
			Body: vodPlaylist(segments),
			ContentType: 'application/vnd.apple.mpegurl',
			CacheControl: 'public, max-age=31536000, immutable',
		}),
	);

	// A recorder on another host, or one whose disk was lost, has no local
	// copy: the segments come back from S3.
	for (const segment of segments) {
		const file = join(dir, segment.uri);

		if (!existsSync(file)) {
			const object = await s3.send(
				new GetObjectCommand({ Bucket: bucket, Key: `${prefix}/${segment.uri}` }),
			);

			await writeFile(file, (await object.Body?.transformToByteArray()) ?? new Uint8Array());
		}
	}

	const mp4 = join(dir, 'recording.mp4');

	await concatToMp4(
		dir,
		segments.map((segment) => segment.uri),
		mp4,
	);

	const mp4Key = `${prefix}/recording.mp4`;
	const upload = new Upload({
		client: s3,
		params: { Bucket: bucket, Key: mp4Key, Body: createReadStream(mp4), ContentType: 'video/mp4' },
		partSize: 8 * 1024 * 1024,
		queueSize: 2,
	});

	await upload.done();

	const result: FinalRecording = {
		vodKey,
		mp4Key,
		durationSeconds: segments.reduce((sum, segment) => sum + segment.duration, 0),
		sizeBytes: (await stat(mp4)).size,
		segments: segments.length,
	};

	logger.info(result, 'recording finalized');

	return result;
}

async function getText(s3: S3Client, bucket: string, key: string): Promise<string> {
	const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));

	return (await object.Body?.transformToString()) ?? '';
}

/** Joins MPEG-TS segments into one MP4, copying streams; restarts' timestamp jumps are smoothed. */
async function concatToMp4(dir: string, files: readonly string[], output: string): Promise<void> {
	const list = join(dir, 'concat.txt');

	writeFileSync(list, files.map((file) => `file '${file}'`).join('\n'));
	await new Promise<void>((resolve, reject) => {
		ffmpeg(list)
			.inputOptions('-f', 'concat', '-safe', '0')
			.outputOptions('-c', 'copy', '-bsf:a', 'aac_adtstoasc', '-movflags', '+faststart')
			.on('end', () => resolve())
			.on('error', reject)
			.save(output);
	});
	if ((await stat(output)).size === 0) {
		throw new Error('ffmpeg wrote an empty MP4');
	}
}
