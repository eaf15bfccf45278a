// These tests put the rows and the objects in place themselves, as the
// recorder does (tests/integration/recorder-service.test.ts runs the real one).

import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AppHarness, type Account } from './AppHarness.ts';

interface RecordingBody {
	id: string;
	state: string;
	durationSeconds: number;
	sizeBytes: number;
	playlistUrl: string | null;
	mp4Url: string | null;
	urlsExpireAt: string | null;
}

const PLAYLIST = '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-ENDLIST\n';

describe('app API: recordings', () => {
	let harness: AppHarness;
	let teacher: Account;
	let student: Account;
	let course: { id: string };

	beforeAll(async () => {
		harness = await AppHarness.start();
		[teacher, student] = await Promise.all([
			harness.account('teacher'),
			harness.account('student'),
		]);
		course = await harness.scheduleClass(teacher);
		await harness.call('POST', `/classes/${course.id}/enrollments`, {
			token: teacher.token,
			body: { userId: student.id },
		});

		const prefix = `recordings/${course.id}`;

		for (const [key, body] of [
			[`${prefix}/vod.m3u8`, PLAYLIST],
			[`${prefix}/class.mp4`, 'not really an mp4, but bytes'],
		] as const) {
			await harness.s3.send(
				new PutObjectCommand({ Bucket: harness.resources.bucket, Key: key, Body: body }),
			);
		}

		await harness.db
			.insertInto('recordings')
			.values([
				{
					class_id: course.id,
					playlist_key: `${prefix}/vod.m3u8`,
					mp4_key: `${prefix}/class.mp4`,
					duration_seconds: 3600,
					size_bytes: 28,
					state: 'ready',
					created_at: '2030-01-01T10:00:00Z',
				},
				{
					class_id: course.id,
					playlist_key: `${prefix}/second.m3u8`,
					mp4_key: `${prefix}/second.mp4`,
					duration_seconds: 0,
					size_bytes: 0,
					state: 'processing',
					created_at: '2030-01-01T11:00:00Z',
				},
			])
			.execute();
	});

	afterAll(async () => {
		await harness.close();
	});

	it('lists recordings to an enrolled student with presigned URLs that fetch the objects', async () => {
		const reply = await harness.call<{ recordings: RecordingBody[] }>(
			'GET',
			`/classes/${course.id}/recordings`,
			{ token: student.token },
		);

		expect(reply.status).toBe(200);

		const [ready, processing] = reply.body.recordings;

		expect(ready).toMatchObject({ state: 'ready', durationSeconds: 3600, sizeBytes: 28 });
		expect(processing).toMatchObject({ state: 'processing', playlistUrl: null, mp4Url: null });

		const playlist = await fetch(ready?.playlistUrl ?? 'missing');
		const mp4 = await fetch(ready?.mp4Url ?? 'missing');

		expect(playlist.status).toBe(200);
		expect(await playlist.text()).toBe(PLAYLIST);
		expect(await mp4.text()).toBe('not really an mp4, but bytes');
		expect(new URL(ready?.playlistUrl ?? 'http://x').searchParams.get('X-Amz-Expires')).toBe('900');
	});

	it('a URL without its signature is refused by S3', async () => {
		const reply = await harness.call<{ recordings: RecordingBody[] }>(
			'GET',
			`/classes/${course.id}/recordings`,
			{ token: teacher.token },
		);
		const signed = new URL(reply.body.recordings[0]?.mp4Url ?? 'http://x');

		signed.search = '';
		expect((await fetch(signed)).status).toBe(403);
	});

	it('refuses an unenrolled student with not_enrolled and another teacher with forbidden', async () => {
		const stranger = await harness.account('student');
		const otherTeacher = await harness.account('teacher');
		const byStranger = await harness.call('GET', `/classes/${course.id}/recordings`, {
			token: stranger.token,
		});
		const byTeacher = await harness.call('GET', `/classes/${course.id}/recordings`, {
			token: otherTeacher.token,
		});

		expect(byStranger.body).toMatchObject({ error: { code: 'not_enrolled' } });
		expect(byTeacher.body).toMatchObject({ error: { code: 'forbidden' } });
	});
});
