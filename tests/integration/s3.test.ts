import { createHash, randomBytes } from 'node:crypto';

import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createS3Client } from '../../common/clients/s3.ts';
import { createTestResources, type TestResources } from '../support/resources.ts';

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('S3 client and lib-storage on MinIO', () => {
	let resources: TestResources;
	let s3: S3Client;

	beforeAll(async () => {
		resources = await createTestResources();
		s3 = createS3Client(resources.config.s3);
	});

	afterAll(async () => {
		s3.destroy();
		await resources.release();
	});

	it('puts an object in several parts, lists it and gets the same bytes back', async () => {
		const body = randomBytes(11 * 1024 * 1024);
		const key = 'recordings/class-1/segment-000.ts';
		const upload = new Upload({
			client: s3,
			params: { Bucket: resources.bucket, Key: key, Body: body, ContentType: 'video/mp2t' },
			partSize: 5 * 1024 * 1024,
			queueSize: 2,
		});
		const parts: number[] = [];

		upload.on('httpUploadProgress', (progress) => {
			if (progress.part !== undefined) {
				parts.push(progress.part);
			}
		});
		await upload.done();

		expect(new Set(parts).size).toBe(3);

		const listed = await s3.send(
			new ListObjectsV2Command({ Bucket: resources.bucket, Prefix: 'recordings/' }),
		);

		expect(listed.Contents?.map((object) => [object.Key, object.Size])).toEqual([
			[key, body.length],
		]);

		const got = await s3.send(new GetObjectCommand({ Bucket: resources.bucket, Key: key }));
		const bytes = await got.Body?.transformToByteArray();

		expect(got.ContentType).toBe('video/mp2t');
		expect(sha256(bytes ?? new Uint8Array())).toBe(sha256(body));
	});
});
