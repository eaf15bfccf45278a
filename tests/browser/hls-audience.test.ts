import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { types } from 'mediasoup';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildPages } from '../../web/build.ts';
import type { ProducerAppData } from '../../sfu/MediaPeer.ts';
import { launchChromium, type Browser } from '../support/chromium.ts';
import { openPage } from '../support/mediaPages.ts';
import { startMediaStack, type MediaStack } from '../support/mediaStack.ts';

/** The URIs a playlist lists (variants of a master, segments of a variant). */
function entries(playlist: string): string[] {
	return playlist.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

/** The loudest sample of some TS files' audio, in dB, as ffmpeg's volumedetect measures it. */
function maxVolume(files: string[]): number {
	const { stderr } = spawnSync(
		'ffmpeg',
		[
			'-hide_banner',
			'-i',
			`concat:${files.join('|')}`,
			'-map',
			'0:a',
			'-af',
			'volumedetect',
		].concat(['-f', 'null', '-']),
		{ encoding: 'utf8' },
	);

	const level = /max_volume: (-?[\d.]+|-inf) dB/.exec(stderr)?.[1];

	return level === '-inf' ? -Infinity : Number(level ?? NaN);
}

describe('the class as HLS on the audience page', () => {
	let stack: MediaStack;
	let browser: Browser;
	let audience: Page;
	const producers: types.Producer<ProducerAppData>[] = [];

	const live = (file: string): string => `${stack.origin}/live/${stack.classId}/${file}`;
	const playback = (): Promise<number> =>
		audience.evaluate(() => window.audience?.currentTime() ?? 0);

	beforeAll(async () => {
		await buildPages();
		stack = await startMediaStack({ hls: true });
		stack.media.control.on('newproducer', (_classId, producer) => producers.push(producer));
		browser = await launchChromium();
	});

	afterAll(async () => {
		await browser.close();
		await stack.close();
	});

	it('plays the teacher for 10 seconds once the teacher page publishes', async () => {
		const teacher = await stack.token('teacher', 'Teacher');

		await openPage(browser, stack, 'teacher', teacher.token);

		const viewer = await stack.token('audience', 'Viewer');

		audience = await browser.context.newPage();
		audience.on('pageerror', (error) => process.stderr.write(`[audience] ${error.message}\n`));
		await audience.goto(`${stack.origin}/audience/#token=${viewer.token}`);
		await expect.poll(playback, { timeout: 40_000, interval: 250 }).toBeGreaterThan(0);

		const started = await playback();

		await expect.poll(playback, { timeout: 25_000, interval: 500 }).toBeGreaterThan(started + 10);
		const heights = await audience.evaluate(() => window.audience?.levels() ?? []);

		expect(heights.sort((a, b) => b - a)).toEqual([720, 480, 240]);
	});

	it('the master lists three renditions whose playlists and segments are fetchable', async () => {
		const master = await fetch(live('master.m3u8'));

		expect(master.headers.get('access-control-allow-origin')).toBe('*');

		const variants = entries(await master.text());

		expect(variants).toEqual(['720p.m3u8', '480p.m3u8', '240p.m3u8']);
		for (const variant of variants) {
			const playlist = await fetch(live(variant));

			expect(playlist.status).toBe(200);
			expect(playlist.headers.get('cache-control')).toContain('max-age=1');

			const body = await playlist.text();

			expect(body).toContain('#EXT-X-PROGRAM-DATE-TIME');

			const [segment] = entries(body);
			const response = await fetch(live(segment ?? 'missing.ts'));

			expect(response.status).toBe(200);
			expect(response.headers.get('cache-control')).toContain('immutable');
			expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(1000);
		}
	});

	it('after kill -9 of ffmpeg the page keeps playing or resumes within 10 seconds', async () => {
		const process = stack.hls?.program(stack.classId)?.ladder?.process;
		const pid = process?.pid;

		expect(pid).toBeGreaterThan(0);
		globalThis.process.kill(pid ?? 0, 'SIGKILL');

		const atKill = await playback();
		const killedAt = Date.now();
		const rendition = async (): Promise<string> => (await fetch(live('720p.m3u8'))).text();

		// The restarted ffmpeg appends to the same playlist after a discontinuity.
		await expect
			.poll(rendition, { timeout: 10_000, interval: 250 })
			.toContain('#EXT-X-DISCONTINUITY');

		// Over 18 s the position advances by at least 8 s only if playback
		// stalled for at most 10 s.
		await expect.poll(playback, { timeout: 18_000, interval: 500 }).toBeGreaterThan(atKill + 8);
		expect(Date.now() - killedAt).toBeLessThan(18_500);
		expect(process?.restarts).toBe(1);
		expect(process?.pid).not.toBe(pid);
	});

	/** The program switcher's state: which producers are on air. */
	const onAir = async () => stack.media.control.programState(stack.classId);
	const ladder = () => stack.hls?.program(stack.classId)?.ladder;
	const producerOf = (role: string, source: string) =>
		producers.find(
			(producer) =>
				producer.appData.role === role && producer.appData.source === source && !producer.closed,
		);

	it('switching to the screen share and back keeps one stream playing from one ffmpeg', async () => {
		const teacherPage = browser.context.pages().find((page) => page.url().includes('/teacher/'));
		const pid = ladder()?.process.pid;
		const restarts = ladder()?.process.restarts;

		await teacherPage?.evaluate(async () => {
			await window.classroom?.startScreen?.();
		});
		await expect
			.poll(async () => (await onAir())?.video, { timeout: 10_000 })
			.toBe(producerOf('teacher', 'screen')?.id);

		const atSwitch = await playback();

		// Over 12 s the position advances by at least 8 s only if playback
		// stalled for at most 4 s.
		await expect.poll(playback, { timeout: 12_000, interval: 500 }).toBeGreaterThan(atSwitch + 8);

		await teacherPage?.evaluate(async () => {
			await window.classroom?.stopScreen?.();
		});
		await expect
			.poll(async () => (await onAir())?.video, { timeout: 10_000 })
			.toBe(producerOf('teacher', 'camera')?.id);

		const atReturn = await playback();

		await expect.poll(playback, { timeout: 12_000, interval: 500 }).toBeGreaterThan(atReturn + 8);
		expect(ladder()?.process.pid).toBe(pid);
		expect(ladder()?.process.restarts).toBe(restarts);
	});

	/**
	 * The 720p segments on disk that began at least `after` (ms since epoch),
	 * by their program date-times; waits for three.
	 */
	const segmentsSince = async (after: number): Promise<string[]> => {
		const since = async (): Promise<string[]> => {
			const body = await (await fetch(live('720p.m3u8'))).text();
			const found: string[] = [];
			let startedAt = Number.NaN;

			for (const line of body.split('\n')) {
				if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) {
					startedAt = Date.parse(line.slice('#EXT-X-PROGRAM-DATE-TIME:'.length));
				} else if (line !== '' && !line.startsWith('#') && startedAt >= after) {
					found.push(join(stack.hlsDir, stack.classId, line));
				}
			}

			return found;
		};

		await expect
			.poll(async () => (await since()).length, { timeout: 20_000, interval: 500 })
			.toBeGreaterThanOrEqual(3);

		return (await since()).slice(0, 3);
	};

	it('a stage student joins the mix, and is heard while the teacher is paused', async () => {
		const teacherMic = producerOf('teacher', 'microphone');
		const pid = ladder()?.process.pid;
		const student = await stack.token('student', 'Student');

		await stack.putOnStage(student.userId);
		await openPage(browser, stack, 'stage', student.token);
		await expect
			.poll(async () => (await onAir())?.audio.filter((id) => id !== undefined).length, {
				timeout: 10_000,
			})
			.toBe(2);

		// Teacher and student mixed: the program carries sound.
		expect(maxVolume(await segmentsSince(Date.now() + 1000))).toBeGreaterThan(-30);

		// Only the student sends now: what the audience hears is the student.
		await teacherMic?.pause();
		await expect
			.poll(async () => (await onAir())?.audio.filter((id) => id !== undefined), {
				timeout: 10_000,
			})
			.toEqual([producerOf('student', 'microphone')?.id]);
		expect(maxVolume(await segmentsSince(Date.now() + 1000))).toBeGreaterThan(-30);

		// Nobody sends: the program goes on, silent.
		await producerOf('student', 'microphone')?.pause();
		expect(maxVolume(await segmentsSince(Date.now() + 1000))).toBeLessThan(-60);
		expect(ladder()?.process.pid).toBe(pid);
	});

	it('ending the class ends every playlist, and the class stays off air', async () => {
		await stack.hls?.end(stack.classId);

		for (const variant of ['720p.m3u8', '480p.m3u8', '240p.m3u8']) {
			const playlist = await (await fetch(live(variant))).text();

			expect(playlist.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
		}

		// The teacher still publishes and the program still changes; no ladder starts again.
		await producerOf('teacher', 'microphone')?.resume();
		await sleep(3000);
		expect(stack.hls?.program(stack.classId)).toBeUndefined();
	});
});
