// A VOD playlist a browser can play from S3 without credentials: every
// segment line replaced by a presigned URL. A presigned playlist alone is not
// enough, since its relative segment names resolve to unsigned URLs.

import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/**
 * Returns the playlist at `key` as a `data:` URL whose segments are signed
 * for `expiresIn` seconds.
 * NOTE: it grows with the class (about 0.6 kB per 2 s segment, ~1 MB for an
 * hour); serving it from an API route instead would keep listings small.
 */
export async function signedPlaylistUrl(
	s3: S3Client,
	bucket: string,
	key: string,
	expiresIn: number,
): Promise<string> {
	const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
	const playlist = (await object.Body?.transformToString()) ?? '';
	const folder = key.slice(0, key.lastIndexOf('/') + 1);
	const lines = await Promise.all(
		playlist.split('\n').map(async (line) => {
			const trimmed = line.trim();

			return trimmed === '' || trimmed.startsWith('#')
				? line
				: getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: `${folder}${trimmed}` }), {
						expiresIn,
					});
		}),
	);

	return `data:application/vnd.apple.mpegurl;base64,${Buffer.from(lines.join('\n')).toString('base64')}`;
}
