// Helpers for the media browser tests: open a page of the running stack,
// read its receive statistics, wait until media from a user flows.

import type { Page } from 'playwright-core';

import type { Browser } from './chromium.ts';

export interface ReceiveStat {
	consumerId: string;
	source: string;
	kind: string;
	userId: string;
	framesDecoded: number;
	frameWidth: number;
	packetsReceived: number;
}

/** The receive statistics of a page, from its own RTCPeerConnection. */
export async function receiveStats(page: Page): Promise<ReceiveStat[]> {
	return page.evaluate(async () => (await window.classroom?.receiveStats()) ?? []);
}

/** Waits until a page decodes video and gets audio from a user; returns what it saw. */
export async function waitForMedia(
	page: Page,
	userId: string,
	sources: string[],
	timeoutMs = 20_000,
	ignore: ReadonlySet<string> = new Set(),
): Promise<ReceiveStat[]> {
	const deadline = Date.now() + timeoutMs;
	let last: ReceiveStat[] = [];

	while (Date.now() < deadline) {
		last = (await receiveStats(page)).filter(
			(stat) => stat.userId === userId && !ignore.has(stat.consumerId),
		);

		const flowing = sources.every((source) =>
			last.some(
				(stat) =>
					stat.source === source &&
					(stat.kind === 'audio'
						? stat.packetsReceived > 0
						: stat.framesDecoded > 0 && stat.frameWidth > 0),
			),
		);

		if (flowing) {
			return last;
		}

		await new Promise((resolve) => setTimeout(resolve, 200));
	}

	const status = await page.evaluate(() => document.querySelector('#status')?.textContent);

	throw new Error(
		`media from ${userId} (${sources.join(', ')}) not flowing (page: ${status ?? '?'}): ${JSON.stringify(last)}`,
	);
}

/** Opens a teacher or stage page of the signaling server at `origin` and waits until it publishes. */
export async function openPage(
	browser: Browser,
	stack: { origin: string },
	kind: 'teacher' | 'stage',
	token: string,
): Promise<Page> {
	const page = await browser.context.newPage();

	page.on('pageerror', (error) => process.stderr.write(`[${kind} page] ${error.message}\n`));

	await page.goto(`${stack.origin}/${kind}/#token=${token}`);
	await page.waitForFunction(() => window.classroom !== undefined);
	await page.evaluate(async () => {
		await window.classroom?.ready;
	});

	return page;
}
