import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launchChromium, type Browser } from '../support/chromium.ts';

describe('headless Chromium with fake devices', () => {
	let browser: Browser;
	let server: Server;
	let origin: string;

	beforeAll(async () => {
		server = createServer((_req, res) => {
			res.writeHead(200, { 'content-type': 'text/html' });
			res.end(
				'<!doctype html><title>camera check</title><video autoplay muted playsinline></video>',
			);
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		browser = await launchChromium();
	});

	afterAll(async () => {
		await browser.close();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});

	it('getUserMedia() gives a live fake camera track that plays frames', async () => {
		const page = await browser.context.newPage();

		await page.goto(origin);

		const result = await page.evaluate(async () => {
			const stream = await navigator.mediaDevices.getUserMedia({
				video: { width: 640, height: 360 },
				audio: true,
			});
			const video = document.querySelector('video');

			if (video === null) {
				throw new Error('no video element');
			}

			video.srcObject = stream;
			await new Promise((resolve) => video.addEventListener('playing', resolve, { once: true }));
			await new Promise((resolve) => setTimeout(resolve, 300));

			const [track] = stream.getVideoTracks();

			return {
				state: track?.readyState,
				label: track?.label,
				audioTracks: stream.getAudioTracks().length,
				width: video.videoWidth,
				height: video.videoHeight,
				frames: video.getVideoPlaybackQuality().totalVideoFrames,
			};
		});

		expect(result.state).toBe('live');
		expect(result.audioTracks).toBe(1);
		expect(result.width).toBe(640);
		expect(result.height).toBe(360);
		expect(result.frames).toBeGreaterThan(0);
	});
});
