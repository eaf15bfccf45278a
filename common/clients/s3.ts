import {
	CreateBucketCommand,
	HeadBucketCommand,
	ListBucketsCommand,
	S3Client,
	S3ServiceException,
} from '@aws-sdk/client-s3';

import type { Config } from '../config.ts';
import { ConfigError } from '../ConfigError.ts';
import { describeError } from './describeError.ts';

/** An S3 client for the configured endpoint; MinIO in development and tests. */
export function createS3Client(s3: Config['s3']): S3Client {
	const credentials =
		s3.accessKeyId !== undefined && s3.secretAccessKey !== undefined
			? { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }
			: undefined;

	return new S3Client({
		region: s3.region,
		forcePathStyle: s3.forcePathStyle,
		...(s3.endpoint === undefined ? {} : { endpoint: s3.endpoint }),
		...(credentials === undefined ? {} : { credentials }),
	});
}

/** Creates the bucket unless it exists. */
export async function ensureBucket(client: S3Client, bucket: string): Promise<void> {
	try {
		await client.send(new HeadBucketCommand({ Bucket: bucket }));
	} catch (error) {
		if (!(error instanceof S3ServiceException) || error.$metadata.httpStatusCode !== 404) {
			throw error;
		}

		try {
			await client.send(new CreateBucketCommand({ Bucket: bucket }));
		} catch (createError) {
			// Another process created it between our two requests.
			if (
				!(createError instanceof S3ServiceException) ||
				createError.name !== 'BucketAlreadyOwnedByYou'
			) {
				throw createError;
			}
		}
	}
}

/** Lists buckets once, or throws a ConfigError naming the setting. */
export async function probeS3(s3: Config['s3']): Promise<void> {
	const client = createS3Client(s3);

	try {
		await client.send(new ListBucketsCommand({}), { abortSignal: AbortSignal.timeout(3000) });
	} catch (error) {
		throw new ConfigError(
			'S3_ENDPOINT',
			`cannot reach S3 at ${s3.endpoint ?? 'AWS'}: ${describeError(error)}`,
		);
	} finally {
		client.destroy();
	}
}
