import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildPages } from '../../web/build.ts';
import { launchChromium, type Browser } from '../support/chromium.ts';
import { openPage } from '../support/mediaPages.ts';
import { startMediaStack, type MediaStack } from '../support/mediaStack.ts';

/** The URIs a playlist lists (variants of a master, segments of a variant). */
function entries(playlist: string): string[] {
	return playlist.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

describe('the class as HLS on the audience page', () => {
	let stack: MediaStack;
	let browser: Browser;
	let audience: Page;

	const live = (file: string): string => `${stack.origin}/live/${stack.classId}/${file}`;
	const playback = (): Promise<number> =>
		audience.evaluate(() => window.audience?.currentTime() ?? 0);

	beforeAll(async () => {
		await buildPages();
		stack = await startMediaStack({ hls: true });
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
});
