// Recordings and replay: the recorder writes the rows; this lists them with
// presigned GET URLs, to the class's teacher, admins and enrolled students.

import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { z } from 'zod';

import { ApiError } from '../ApiError.ts';
import { signedPlaylistUrl } from '../recordings/signedPlaylist.ts';
import { loadClass } from '../classes/loadClass.ts';
import type { RouteContext } from '../createApp.ts';
import { ErrorResponses, IdParams } from '../schemas.ts';

const RecordingView = z.strictObject({
	id: z.uuid(),
	classId: z.uuid(),
	state: z.enum(['recording', 'processing', 'ready', 'failed']),
	durationSeconds: z.number().int(),
	sizeBytes: z.number().int(),
	createdAt: z.iso.datetime(),
	/** Presigned; null until the recording is ready. */
	playlistUrl: z.url().nullable(),
	mp4Url: z.url().nullable(),
	/** The VOD playlist with presigned segments, as a data: URL, for hls.js. */
	replayUrl: z.string().startsWith('data:').nullable(),
	/** `timeline.json` beside the VOD: the class's events with their offsets into it. */
	timelineUrl: z.url().nullable(),
	urlsExpireAt: z.iso.datetime().nullable(),
});

/** The recorder writes the timeline beside the VOD playlist, in the same folder. */
function timelineKeyOf(playlistKey: string): string {
	return `${playlistKey.slice(0, playlistKey.lastIndexOf('/') + 1)}timeline.json`;
}

export function registerRecordingRoutes({ app, db, sessions, s3, config }: RouteContext): void {
	const ttlSeconds = config.appApi.recordingUrlTtlSeconds;
	const presign = (key: string): Promise<string> =>
		getSignedUrl(s3, new GetObjectCommand({ Bucket: config.s3.bucket, Key: key }), {
			expiresIn: ttlSeconds,
		});

	app.get(
		'/classes/:id/recordings',
		{
			schema: {
				summary: 'Recordings of a class, with presigned replay URLs',
				params: IdParams,
				response: {
					200: z.strictObject({ recordings: z.array(RecordingView) }),
					...ErrorResponses,
				},
			},
		},
		async (request) => {
			const user = await sessions.authenticate(request.headers.authorization);
			const row = await loadClass(db, request.params.id);

			if (user.role !== 'admin' && row.teacher_id !== user.id) {
				const enrolled = await db
					.selectFrom('enrollments')
					.select('user_id')
					.where('class_id', '=', row.id)
					.where('user_id', '=', user.id)
					.executeTakeFirst();

				if (enrolled === undefined) {
					throw new ApiError(
						user.role === 'student' ? 'not_enrolled' : 'forbidden',
						'recordings are for the class teacher, admins and enrolled students',
					);
				}
			}

			const rows = await db
				.selectFrom('recordings')
				.selectAll()
				.where('class_id', '=', row.id)
				.orderBy('created_at')
				.execute();
			const urlsExpireAt = new Date(Date.now() + ttlSeconds * 1000).toISOString();

			return {
				recordings: await Promise.all(
					rows.map(async (recording) => {
						const ready = recording.state === 'ready';

						return {
							id: recording.id,
							classId: recording.class_id,
							state: recording.state,
							durationSeconds: recording.duration_seconds,
							sizeBytes: Number(recording.size_bytes),
							createdAt: recording.created_at.toISOString(),
							playlistUrl: ready ? await presign(recording.playlist_key) : null,
							mp4Url: ready ? await presign(recording.mp4_key) : null,
							replayUrl: ready
								? await signedPlaylistUrl(s3, config.s3.bucket, recording.playlist_key, ttlSeconds)
								: null,
							timelineUrl: ready ? await presign(timelineKeyOf(recording.playlist_key)) : null,
							urlsExpireAt: ready ? urlsExpireAt : null,
						};
					}),
				),
			};
		},
	);
}
