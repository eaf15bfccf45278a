import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createS3Client } from '../../common/clients/s3.ts';
import { createLogger } from '../../common/logger.ts';
import { programSdp } from '../../sfu/programSdp.ts';
import { finalizeRecording } from '../../recorder/finalizeRecording.ts';
import { parseSegments } from '../../recorder/playlist.ts';
import { SegmentRecorder } from '../../recorder/SegmentRecorder.ts';
import { SegmentUploader } from '../../recorder/SegmentUploader.ts';
import { startRtpSource, type RtpSource } from '../support/rtpSource.ts';
import { createTestResources, type TestResources } from '../support/resources.ts';

const logger = createLogger('test', 'silent');

function ffprobe(file: string): {
	format: { duration: string };
	streams: { codec_type: string; codec_name: string }[];
} {
	const output = execFileSync('ffprobe', [
		'-v',
		'error',
		'-show_format',
		'-show_streams',
		'-of',
		'json',
		file,
	]);

	return JSON.parse(output.toString()) as ReturnType<typeof ffprobe>;
}

describe('recorder: segments to S3, then a VOD playlist and an MP4', () => {
	const dir = mkdtempSync(join(tmpdir(), 'classroom-recording-'));
	let resources: TestResources;
	let s3: S3Client;
	let source: RtpSource;

	beforeAll(async () => {
		resources = await createTestResources();
		s3 = createS3Client(resources.config.s3);
		source = await startRtpSource('320x180', 0.5);
	});

	afterAll(async () => {
		await source.stop();
		s3.destroy();
		await resources.release();
		rmSync(dir, { recursive: true, force: true });
	});

	it('records a class while it runs and finalizes a playable VOD and MP4', async () => {
		const prefix = 'recordings/class-1';
		const recorder = new SegmentRecorder({
			sdp: programSdp(source.program),
			dir,
			segmentSeconds: 2,
			width: 320,
			height: 180,
			videoKbps: 300,
			logger,
		});
		const uploader = new SegmentUploader({
			s3,
			bucket: resources.bucket,
			prefix,
			dir,
			logger,
			intervalMs: 200,
		});
		// The class starts when the recorder's ffmpeg runs; what it then
		// misses while it waits for the first keyframe counts as lost.
		const started = new Promise<number>((resolve) =>
			recorder.process.once('started', () => resolve(Date.now())),
		);

		recorder.start();
		await uploader.start();
		await sleep(10_000);

		// Uploaded while the class runs, not only at the end.
		expect(uploader.uploadedCount).toBeGreaterThanOrEqual(1);

		await recorder.close();

		const classSeconds = (Date.now() - (await started)) / 1000;

		await uploader.close();

		const final = await finalizeRecording({ s3, bucket: resources.bucket, prefix, dir, logger });
		const vod = await s3.send(
			new GetObjectCommand({ Bucket: resources.bucket, Key: final.vodKey }),
		);
		const vodText = (await vod.Body?.transformToString()) ?? '';
		const vodSeconds = parseSegments(vodText).reduce((sum, segment) => sum + segment.duration, 0);

		expect(vodText).toContain('#EXT-X-ENDLIST');
		expect(Math.abs(vodSeconds - classSeconds)).toBeLessThan(2);
		expect(final.durationSeconds).toBeCloseTo(vodSeconds, 3);

		const mp4 = join(dir, 'downloaded.mp4');
		const object = await s3.send(
			new GetObjectCommand({ Bucket: resources.bucket, Key: final.mp4Key }),
		);

		execFileSync('tee', [mp4], {
			input: await object.Body?.transformToByteArray(),
			stdio: ['pipe', 'ignore', 'inherit'],
		});

		const probed = ffprobe(mp4);

		expect(
			probed.streams.map((stream) => `${stream.codec_type}:${stream.codec_name}`).sort(),
		).toEqual(['audio:aac', 'video:h264']);
		expect(Math.abs(Number(probed.format.duration) - vodSeconds)).toBeLessThan(1);
		expect(final.sizeBytes).toBeGreaterThan(0);
	});
});
