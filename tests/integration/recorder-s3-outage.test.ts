import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createS3Client, ensureBucket } from '../../common/clients/s3.ts';
import { loadConfig } from '../../common/config.ts';
import { createLogger } from '../../common/logger.ts';
import { programSdp } from '../../sfu/programSdp.ts';
import { startMinio } from '../../infra/stack/minio.ts';
import { freePort } from '../../infra/stack/ports.ts';
import type { ServerOptions, StartedServer } from '../../infra/stack/ServerOptions.ts';
import { parseSegments } from '../../recorder/playlist.ts';
import { SegmentRecorder } from '../../recorder/SegmentRecorder.ts';
import { SegmentUploader } from '../../recorder/SegmentUploader.ts';
import { startRtpSource, type RtpSource } from '../support/rtpSource.ts';

const logger = createLogger('test', 'silent');

// This file stops and starts S3, so it runs a MinIO of its own rather than
// the shared stack's.
describe('recorder across an S3 outage', () => {
	const root = mkdtempSync(join(tmpdir(), 'classroom-s3-outage-'));
	const recording = join(root, 'recording');
	let minioOptions: ServerOptions;
	let minio: StartedServer;
	let source: RtpSource;

	beforeAll(async () => {
		for (const sub of ['logs', 'run', 'recording']) {
			mkdirSync(join(root, sub));
		}

		minioOptions = {
			dir: root,
			port: await freePort(),
			password: 'outage-test-secret',
			durable: true,
		};
		minio = await startMinio(minioOptions);
		source = await startRtpSource('320x180', 0.5);
	});

	afterAll(async () => {
		await source.stop();
		await minio.process.stop();
		rmSync(root, { recursive: true, force: true });
	});

	it('loses no segment when S3 is down for 10 seconds mid-class', async () => {
		const s3Config = { ...loadConfig({ ...process.env, ...minio.env }).s3, bucket: 'outage' };
		const s3 = createS3Client(s3Config);

		await ensureBucket(s3, 'outage');

		const recorder = new SegmentRecorder({
			sdp: programSdp(source.program),
			dir: recording,
			segmentSeconds: 1,
			width: 320,
			height: 180,
			videoKbps: 300,
			logger,
		});
		const uploader = new SegmentUploader({
			s3,
			bucket: 'outage',
			prefix: 'recordings/c1',
			dir: recording,
			logger,
			intervalMs: 200,
		});

		recorder.start();
		await uploader.start();
		// The outage begins once the recording is under way and reaching S3.
		while (uploader.uploadedCount < 2) {
			await sleep(200);
		}

		await minio.process.stop();

		const outageStarted = Date.now();

		await sleep(10_000);
		minio = await startMinio(minioOptions);

		const outageEnded = Date.now();

		await sleep(3000);
		await recorder.close();
		await uploader.close();

		const local = readFileSync(join(recording, 'index.m3u8'), 'utf8');
		const segments = parseSegments(local);
		const listed = segments.map((segment) => segment.uri);
		const times = segments.map((segment) => segment.programDateTime?.getTime() ?? Number.NaN);
		const object = await s3.send(
			new GetObjectCommand({ Bucket: 'outage', Key: 'recordings/c1/index.m3u8' }),
		);
		const uploadedPlaylist = (await object.Body?.transformToString()) ?? '';

		// The recording runs through the outage: segments written before it
		// began and after it ended, numbered without a gap.
		expect(Math.min(...times)).toBeLessThan(outageStarted);
		expect(Math.max(...times)).toBeGreaterThan(outageEnded);
		expect(listed).toEqual(listed.map((_, index) => `seg_${String(index).padStart(6, '0')}.ts`));
		expect(uploadedPlaylist).toBe(local);
		for (const uri of listed) {
			const segment = await s3.send(
				new HeadObjectCommand({ Bucket: 'outage', Key: `recordings/c1/${uri}` }),
			);

			expect(segment.ContentLength).toBeGreaterThan(0);
		}

		s3.destroy();
	});
});
