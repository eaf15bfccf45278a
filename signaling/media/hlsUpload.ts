// Where the HLS bridge mirrors its output for the CDN: the configured S3
// bucket, or nowhere when no S3 endpoint or credentials are configured (the
// signaling origin still serves the live folder).

import type { S3Client } from '@aws-sdk/client-s3';

import { createS3Client, ensureBucket } from '../../common/clients/s3.ts';
import type { Config } from '../../common/config.ts';
import type { Logger } from '../../common/logger.ts';

export async function hlsUpload(
	config: Config,
	logger: Logger,
): Promise<{ client: S3Client; bucket: string } | undefined> {
	const { s3 } = config;

	if (s3.endpoint === undefined && s3.accessKeyId === undefined) {
		logger.warn('no S3 configured; HLS is served by this process only, not uploaded');

		return undefined;
	}

	const client = createS3Client(s3);

	await ensureBucket(client, s3.bucket);

	return { client, bucket: s3.bucket };
}
