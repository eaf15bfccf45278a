import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { signedPlaylistUrl } from '../../app-api/recordings/signedPlaylist.ts';
import { createS3Client } from '../../common/clients/s3.ts';
import type { ReplayTimeline } from '../../recorder/Timeline.ts';
import { buildPages } from '../../web/build.ts';
import { launchChromium, type Browser } from '../support/chromium.ts';
import { createTestResources, type TestResources } from '../support/resources.ts';

const CONTENT_TYPES: Record<string, string> = {
	'.html': 'text/html',
	'.js': 'text/javascript',
	'.css': 'text/css',
	'.map': 'application/json',
};

const CLASS_ID = '6f1d3c52-8a4e-4b7a-9f00-2d1c0e5a7b11';
const OTHER_CLASS_ID = '0b9e6a1f-3c2d-4e5f-8a7b-6c5d4e3f2a10';

describe('replay page: the VOD with its timeline', () => {
	const dir = mkdtempSync(join(tmpdir(), 'classroom-replay-'));
	let resources: TestResources;
	let s3: S3Client;
	let server: Server;
	let base: string;
	let browser: Browser;

	const presign = (key: string, expiresIn = 300): Promise<string> =>
		getSignedUrl(s3, new GetObjectCommand({ Bucket: resources.bucket, Key: key }), { expiresIn });

	beforeAll(async () => {
		resources = await createTestResources();
		s3 = createS3Client(resources.config.s3);

		// A 12-second VOD of the kind the recorder finalizes: H.264 and AAC
		// in 2-second MPEG-TS segments.
		const vodDir = join(dir, 'vod');
		const pagesDir = join(dir, 'pages');

		execFileSync('mkdir', ['-p', vodDir]);
		execFileSync('ffmpeg', [
			...['-hide_banner', '-loglevel', 'error'],
			...['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30'],
			...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '12'],
			...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '60'],
			...['-c:a', 'aac', '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod'],
			...['-hls_segment_filename', join(vodDir, 'seg_%06d.ts'), join(vodDir, 'vod.m3u8')],
		]);
		for (const file of readdirSync(vodDir)) {
			await s3.send(
				new PutObjectCommand({
					Bucket: resources.bucket,
					Key: `recordings/${CLASS_ID}/${file}`,
					Body: readFileSync(join(vodDir, file)),
				}),
			);
		}

		const timeline: ReplayTimeline = {
			classId: CLASS_ID,
			recordingStartedAt: new Date().toISOString(),
			events: [
				{
					offsetSeconds: 1.5,
					type: 'chat',
					data: { id: 'm1', userId: 'u1', displayName: 'Student Sam', text: '<b>hello</b>' },
				},
				{
					offsetSeconds: 4,
					type: 'poll',
					data: {
						phase: 'opened',
						pollId: 'p1',
						question: 'Ready?',
						options: ['yes', 'no'],
						multiple: false,
					},
				},
				{
					offsetSeconds: 7.25,
					type: 'hand_raise',
					data: { userId: 'u1', displayName: 'Student Sam' },
				},
				{
					offsetSeconds: 9.5,
					type: 'poll',
					data: { phase: 'closed', pollId: 'p1', tally: { counts: [1, 0], voters: 1 } },
				},
			],
		};

		await s3.send(
			new PutObjectCommand({
				Bucket: resources.bucket,
				Key: `recordings/${CLASS_ID}/timeline.json`,
				Body: JSON.stringify(timeline),
			}),
		);

		await buildPages(pagesDir);
		server = createServer((req, res) => {
			const path = new URL(req.url ?? '/', 'http://page').pathname;
			const file = join(pagesDir, path.endsWith('/') ? `${path}index.html` : path);

			try {
				const body = readFileSync(file);

				res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'text/plain' });
				res.end(body);
			} catch {
				res.writeHead(404).end();
			}
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		browser = await launchChromium();
	});

	afterAll(async () => {
		await browser.close();
		await new Promise((resolve) => server.close(resolve));
		s3.destroy();
		await resources.release();
		rmSync(dir, { recursive: true, force: true });
	});

	/** The replay page of the class, with the URLs the replay listing returns. */
	async function openReplay(): Promise<Page> {
		// What the replay listing returns as replayUrl.
		const vod = await signedPlaylistUrl(
			s3,
			resources.bucket,
			`recordings/${CLASS_ID}/vod.m3u8`,
			300,
		);
		const timeline = await presign(`recordings/${CLASS_ID}/timeline.json`);
		const page = await browser.context.newPage();

		await page.goto(
			`${base}/replay/#vod=${encodeURIComponent(vod)}&timeline=${encodeURIComponent(timeline)}`,
		);

		return page;
	}

	it('shows each timeline event when the playing VOD reaches its offset, within 1 s', async () => {
		const page = await openReplay();

		await page.waitForFunction(() => (window.replay?.shown.length ?? 0) === 4, null, {
			timeout: 30_000,
		});

		const shown = await page.evaluate(() => window.replay?.shown ?? []);

		expect(shown.map((event) => event.type)).toEqual(['chat', 'poll', 'hand_raise', 'poll']);
		for (const event of shown) {
			expect(event.shownAtSeconds).toBeGreaterThanOrEqual(event.offsetSeconds);
			expect(event.shownAtSeconds - event.offsetSeconds).toBeLessThan(1);
		}

		expect(await page.locator('#timeline li').count()).toBe(4);
		await page.close();
	});

	it('words each event for a person: who said what, a poll and its results, a hand', async () => {
		const page = await openReplay();

		// Seeking to the end reveals everything at once.
		await page.waitForFunction(() => document.getElementById('status')?.textContent === 'playing');
		await page.locator('#vod').evaluate((video: HTMLVideoElement) => {
			video.currentTime = 11;
		});
		await page.waitForFunction(() => (window.replay?.shown.length ?? 0) === 4, null, {
			timeout: 30_000,
		});

		// The chat text is shown as typed, never as markup.
		expect(await page.locator('#timeline li').allTextContents()).toEqual([
			'0:01 Student Sam: <b>hello</b>',
			'0:04 Poll: Ready? (yes / no)',
			'0:07 Student Sam raised a hand',
			'0:09 Poll closed: Ready? yes 1 · no 0 (1 answered)',
		]);
		expect(await page.locator('#timeline b').count()).toBe(0);
		await page.close();
	});

	it('a presigned URL stops working once it expires', async () => {
		// NOTE: the signing time is whole seconds, rounded down, so a URL for
		// 1 s could be expired by its first use; 3 s leaves at least 2.
		const url = await presign(`recordings/${CLASS_ID}/timeline.json`, 3);

		expect((await fetch(url)).status).toBe(200);
		await sleep(4500);
		expect((await fetch(url)).status).toBe(403);
	});

	it("a URL signed for one class's recording does not open another class's", async () => {
		await s3.send(
			new PutObjectCommand({
				Bucket: resources.bucket,
				Key: `recordings/${OTHER_CLASS_ID}/timeline.json`,
				Body: '{}',
			}),
		);

		const signed = new URL(await presign(`recordings/${CLASS_ID}/timeline.json`));

		signed.pathname = signed.pathname.replace(CLASS_ID, OTHER_CLASS_ID);
		expect((await fetch(signed)).status).toBe(403);
	});
});
