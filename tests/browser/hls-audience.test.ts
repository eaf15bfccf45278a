import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import type { types } from 'mediasoup';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildPages } from '../../web/build.ts';
import { commandLine } from '../../common/procfs.ts';
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

	return Number(/max_volume: (-?[\d.]+) dB/.exec(stderr)?.[1] ?? NaN);
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

	it('switching to the screen share keeps one playing stream', async () => {
		const teacherPage = browser.context.pages().find((page) => page.url().includes('/teacher/'));
		const before = ladder();

		await teacherPage?.evaluate(async () => {
			await window.classroom?.startScreen?.();
		});
		await expect
			.poll(() => ladder() !== undefined && ladder() !== before, { timeout: 15_000 })
			.toBe(true);

		const atSwitch = await playback();

		await expect.poll(playback, { timeout: 18_000, interval: 500 }).toBeGreaterThan(atSwitch + 8);
		expect(
			producers.some((producer) => producer.appData.source === 'screen' && !producer.closed),
		).toBe(true);
	});

	/** The 720p segments the running ffmpeg wrote after the last discontinuity, on disk. */
	const segmentsOfThisRun = async (): Promise<string[]> => {
		const body = await (await fetch(live('720p.m3u8'))).text();
		const run = body.split('#EXT-X-DISCONTINUITY').at(-1) ?? '';

		return entries(run).map((name) => join(stack.hlsDir, stack.classId, name));
	};

	const ladder = () => stack.hls?.program(stack.classId)?.ladder;

	/**
	 * Waits for a ladder other than `previous` whose ffmpeg command line holds
	 * `text`, then for 3 of its segments.
	 */
	const programSegments = async (previous: unknown, text: string): Promise<string[]> => {
		await expect
			.poll(
				() => {
					const current = ladder();
					const pid = current === previous ? undefined : current?.process.pid;

					return pid === undefined ? '' : commandLine(pid);
				},
				{ timeout: 20_000, interval: 250 },
			)
			.toContain(text);
		// Segments of the previous run may still end the playlist for a moment.
		await new Promise((resolve) => setTimeout(resolve, 2000));
		await expect
			.poll(async () => (await segmentsOfThisRun()).length, { timeout: 20_000, interval: 500 })
			.toBeGreaterThanOrEqual(3);

		return (await segmentsOfThisRun()).slice(-3);
	};

	it('a stage student joins the mix, and is heard while the teacher is paused', async () => {
		const teacherMic = producers.find(
			(producer) => producer.appData.role === 'teacher' && producer.appData.source === 'microphone',
		);
		const before = ladder();
		const student = await stack.token('student', 'Student');

		await stack.putOnStage(student.userId);
		await openPage(browser, stack, 'stage', student.token);

		// Teacher and student mixed: the program carries sound.
		expect(maxVolume(await programSegments(before, 'amix=inputs=2'))).toBeGreaterThan(-30);

		// Only the student sends now: what the audience hears is the student.
		const mixed = ladder();

		await teacherMic?.pause();
		expect(teacherMic?.paused).toBe(true);
		expect(maxVolume(await programSegments(mixed, '-map 0:a'))).toBeGreaterThan(-30);
	});
});
