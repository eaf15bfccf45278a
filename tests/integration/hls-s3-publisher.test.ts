import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
	GetObjectCommand,
	HeadObjectCommand,
	ListObjectsV2Command,
	type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createS3Client } from '../../common/clients/s3.ts';
import { createLogger } from '../../common/logger.ts';
import { S3Publisher } from '../../hls-bridge/S3Publisher.ts';
import { createTestResources, type TestResources } from '../support/resources.ts';

const variant = (first: number, last: number): string =>
	[
		'#EXTM3U',
		'#EXT-X-TARGETDURATION:1',
		`#EXT-X-MEDIA-SEQUENCE:${first}`,
		...Array.from(
			{ length: last - first + 1 },
			(_, i) => `#EXTINF:1.0,\n240p_${String(first + i).padStart(5, '0')}.ts`,
		),
		'',
	].join('\n');

describe('S3Publisher', () => {
	const dir = mkdtempSync(join(tmpdir(), 'classroom-publish-'));
	let resources: TestResources;
	let s3: S3Client;
	let publisher: S3Publisher;

	const keys = async (): Promise<string[]> => {
		const listed = await s3.send(
			new ListObjectsV2Command({ Bucket: resources.bucket, Prefix: 'live/c1/' }),
		);

		return (listed.Contents ?? []).map((object) => object.Key ?? '').sort();
	};

	const segment = (n: number): void => {
		writeFileSync(join(dir, `240p_${String(n).padStart(5, '0')}.ts`), Buffer.alloc(376, n));
	};

	beforeAll(async () => {
		resources = await createTestResources();
		s3 = createS3Client(resources.config.s3);
		publisher = new S3Publisher({
			s3,
			bucket: resources.bucket,
			prefix: 'live/c1',
			dir,
			logger: createLogger('test', 'silent'),
			expireAfterMs: 0,
		});
	});

	afterAll(async () => {
		await publisher.close();
		s3.destroy();
		await resources.release();
		rmSync(dir, { recursive: true, force: true });
	});

	it('uploads the listed segments and the playlists with their cache headers', async () => {
		writeFileSync(
			join(dir, 'master.m3u8'),
			'#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=500000\n240p.m3u8\n',
		);
		segment(1);
		segment(2);
		segment(3);
		writeFileSync(join(dir, '240p.m3u8'), variant(1, 2));
		await publisher.sync();

		expect(await keys()).toEqual([
			'live/c1/240p.m3u8',
			'live/c1/240p_00001.ts',
			'live/c1/240p_00002.ts',
			'live/c1/master.m3u8',
		]);

		const head = await s3.send(
			new HeadObjectCommand({ Bucket: resources.bucket, Key: 'live/c1/240p_00001.ts' }),
		);
		const playlist = await s3.send(
			new GetObjectCommand({ Bucket: resources.bucket, Key: 'live/c1/240p.m3u8' }),
		);

		expect(head.CacheControl).toBe('public, max-age=31536000, immutable');
		expect(head.ContentType).toBe('video/mp2t');
		expect(playlist.CacheControl).toBe('public, max-age=1, stale-while-revalidate=1');
		expect(await playlist.Body?.transformToString()).toBe(variant(1, 2));
	});

	it('deletes segments that left the live window', async () => {
		segment(4);
		writeFileSync(join(dir, '240p.m3u8'), variant(3, 4));
		unlinkSync(join(dir, '240p_00001.ts'));
		await publisher.sync();
		// A second pass: the first saw segments 1-2 leave; with no grace they go now.
		await publisher.sync();

		expect(await keys()).toEqual([
			'live/c1/240p.m3u8',
			'live/c1/240p_00003.ts',
			'live/c1/240p_00004.ts',
			'live/c1/master.m3u8',
		]);
	});
});
