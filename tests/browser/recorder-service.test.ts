import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import type { Page } from 'playwright-core';

import type { Recording } from '../../app-api/db/Database.ts';
import { parseSegments, type PlaylistSegment } from '../../recorder/playlist.ts';
import { Timeline, type ReplayTimeline, type TimelineEventType } from '../../recorder/Timeline.ts';
import { buildPages } from '../../web/build.ts';
import { AppHarness, type Account } from '../integration/app-api/AppHarness.ts';
import { launchChromium, type Browser } from '../support/chromium.ts';
import { openPage } from '../support/mediaPages.ts';
import { RecorderProcess } from '../support/recorderProcess.ts';
import { SignalingProcess } from '../support/signalingProcess.ts';

interface Probe {
	format: { duration: string };
	streams: { codec_type: string; duration?: string }[];
}

function ffprobe(file: string): Probe {
	const output = execFileSync('ffprobe', [
		...['-v', 'error', '-show_format', '-show_streams', '-of', 'json'],
		file,
	]);

	return JSON.parse(output.toString()) as Probe;
}

const total = (segments: readonly PlaylistSegment[]): number =>
	segments.reduce((sum, segment) => sum + segment.duration, 0);

describe('recorder service: a class from the teacher page through the SFU to a VOD in S3', () => {
	const root = mkdtempSync(join(tmpdir(), 'classroom-recorder-service-'));
	let harness: AppHarness;
	let teacher: Account;
	let signaling: SignalingProcess;
	let browser: Browser;
	let recorder: RecorderProcess | undefined;
	let studio: Page | undefined;

	beforeAll(async () => {
		await buildPages();
		harness = await AppHarness.start();
		teacher = await harness.account('teacher');
		// One small rung: the HLS ladder runs beside the recorder, and only the recorder is tested.
		signaling = await SignalingProcess.start(
			{
				SIGNALING_REDIS_PREFIX: harness.resources.redisPrefix,
				MONGODB_DATABASE: harness.resources.mongoDatabase,
				CLASSROOM_DATA_DIR: join(root, 'signaling'),
				HLS_LADDER: '240p:426x240:300',
			},
			root,
		);
		browser = await launchChromium();
	});

	// Each test's recorder stops with it, passed or failed, so a failure
	// leaves no second recorder to answer for the next test's class.
	afterEach(async () => {
		await recorder?.stop();
		recorder = undefined;
	});

	afterAll(async () => {
		await studio?.close();
		await browser.close();
		await signaling.stop();
		await harness.close();
		rmSync(root, { recursive: true, force: true });
	});

	/**
	 * A scheduled class whose teacher has the studio open and publishes, as
	 * before going live; the studio of the previous test closes.
	 */
	async function classWithTeacher(): Promise<string> {
		const { id } = await harness.scheduleClass(teacher);
		const token = await harness.call<{ token: string }>('POST', `/classes/${id}/join-token`, {
			token: teacher.token,
		});

		expect(token.status).toBe(200);
		await studio?.close();
		studio = await openPage(browser, { origin: signaling.url }, 'teacher', token.body.token);

		return id;
	}

	async function transition(classId: string, path: 'start' | 'end'): Promise<number> {
		const reply = await harness.call('POST', `/classes/${classId}/${path}`, {
			token: teacher.token,
		});

		expect(reply.status).toBe(200);

		return Date.now();
	}

	async function readyRecording(classId: string): Promise<Recording> {
		const deadline = Date.now() + 90_000;

		while (Date.now() < deadline) {
			const row = await harness.db
				.selectFrom('recordings')
				.selectAll()
				.where('class_id', '=', classId)
				.executeTakeFirst();

			if (row?.state === 'ready' || row?.state === 'failed') {
				return row;
			}

			await sleep(250);
		}

		throw new Error(`no finished recording for ${classId}:\n${recorder?.log ?? ''}`);
	}

	async function getObject(key: string): Promise<Uint8Array> {
		const object = await harness.s3.send(
			new GetObjectCommand({ Bucket: harness.resources.bucket, Key: key }),
		);

		return (await object.Body?.transformToByteArray()) ?? new Uint8Array();
	}

	it('records a 20-second class with a screen share in it and finalizes a VOD, an MP4 and the row', async () => {
		recorder = await RecorderProcess.start({
			resources: harness.resources,
			dataDir: join(root, 'data-1'),
		});

		const classId = await classWithTeacher();
		const timeline = new Timeline(harness.mongo);
		const started = await transition(classId, 'start');
		const appended: { type: TimelineEventType; at: number }[] = [];

		for (const [type, wait] of [
			['chat', 4000],
			['poll', 6000],
			['hand_raise', 5000],
		] as const) {
			await sleep(wait);
			appended.push({ type, at: Date.now() });
			await timeline.append({ classId, at: new Date(), type, data: { n: appended.length } });
			if (type === 'chat') {
				await studio?.evaluate(async () => window.classroom?.startScreen?.());
			}
		}

		await sleep(started + 20_000 - Date.now());

		const ended = await transition(classId, 'end');
		const classSeconds = (ended - started) / 1000;
		const row = await readyRecording(classId);

		expect(row, `${recorder.log}\n${signaling.logTail(60)}`).toMatchObject({
			state: 'ready',
			playlist_key: `recordings/${classId}/vod.m3u8`,
		});

		const vod = Buffer.from(await getObject(row.playlist_key)).toString();
		const vodSeconds = total(parseSegments(vod));

		expect(vod).toContain('#EXT-X-ENDLIST');
		// The screen share came in without a new recording run.
		expect(vod).not.toContain('#EXT-X-DISCONTINUITY');
		process.stdout.write(
			`${JSON.stringify({ metric: 'recording_vod_minus_class_seconds', value: vodSeconds - classSeconds })}\n`,
		);
		expect(Math.abs(vodSeconds - classSeconds)).toBeLessThan(2);
		expect(row.duration_seconds).toBe(Math.round(vodSeconds));

		const mp4 = join(root, 'downloaded.mp4');

		writeFileSync(mp4, await getObject(row.mp4_key));

		const probed = ffprobe(mp4);
		const streamSeconds = (kind: string): number =>
			Number(probed.streams.find((stream) => stream.codec_type === kind)?.duration);

		expect(Number(row.size_bytes)).toBe(statSync(mp4).size);
		// The microphones of the program are mixed into one track.
		expect(probed.streams.filter((stream) => stream.codec_type === 'audio')).toHaveLength(1);
		expect(Math.abs(streamSeconds('video') - classSeconds)).toBeLessThan(2);
		expect(Math.abs(streamSeconds('audio') - classSeconds)).toBeLessThan(2);

		const replay = await harness.call<{ recordings: { timelineUrl: string }[] }>(
			'GET',
			`/classes/${classId}/recordings`,
			{ token: teacher.token },
		);
		const timelineUrl = replay.body.recordings[0]?.timelineUrl ?? 'missing';
		const replayTimeline = (await (await fetch(timelineUrl)).json()) as ReplayTimeline;

		// Each event sits where the class was when it happened, as the VOD
		// starts with the class (within the 2 s above).
		expect(replayTimeline.events.map((event) => event.type)).toEqual(
			appended.map((event) => event.type),
		);
		replayTimeline.events.forEach((event, index) => {
			const sinceStart = ((appended[index]?.at ?? Number.NaN) - started) / 1000;

			expect(Math.abs(event.offsetSeconds - sinceStart)).toBeLessThan(2);
		});
	});

	it('resumes after kill -9 ten seconds into a 30-second class, losing at most 3 seconds', async () => {
		const dataDir = join(root, 'data-2');

		recorder = await RecorderProcess.start({ resources: harness.resources, dataDir });

		const classId = await classWithTeacher();
		const started = await transition(classId, 'start');

		await sleep(10_000);
		await recorder.kill();
		recorder = await RecorderProcess.start({ resources: harness.resources, dataDir });
		await sleep(started + 30_000 - Date.now());

		const ended = await transition(classId, 'end');
		const row = await readyRecording(classId);

		expect(row.state).toBe('ready');

		const vod = Buffer.from(await getObject(row.playlist_key)).toString();
		const segments = parseSegments(vod);
		// Holes between one segment's end and the next one's start, by the
		// wall-clock time ffmpeg stamped on each.
		const holes = segments.slice(1).map((segment, index) => {
			const previous = segments[index];
			const previousEnd =
				(previous?.programDateTime?.getTime() ?? Number.NaN) + (previous?.duration ?? 0) * 1000;

			return ((segment.programDateTime?.getTime() ?? Number.NaN) - previousEnd) / 1000;
		});
		const lostSeconds = holes.reduce((sum, hole) => sum + Math.max(0, hole), 0);

		expect(segments.some((segment) => segment.discontinuity)).toBe(true);
		expect(holes.every((hole) => Number.isFinite(hole))).toBe(true);
		process.stdout.write(
			`${JSON.stringify({ metric: 'recorder_kill_lost_seconds', value: lostSeconds })}\n`,
		);
		expect(lostSeconds, `${vod}\n${recorder.log}`).toBeLessThanOrEqual(3);
		expect(total(segments)).toBeGreaterThan((ended - started) / 1000 - 3 - 2);
	});
});
