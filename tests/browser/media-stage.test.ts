import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildPages } from '../../web/build.ts';
import { launchChromium, type Browser } from '../support/chromium.ts';
import { openPage, receiveStats, waitForMedia } from '../support/mediaPages.ts';
import { startMediaStack, type MediaStack } from '../support/mediaStack.ts';

describe('teacher and stage student over mediasoup in Chromium', () => {
	let stack: MediaStack;
	let browser: Browser;
	let teacher: Page;
	let student: Page;
	let teacherId: string;
	let studentId: string;

	beforeAll(async () => {
		await buildPages();
		stack = await startMediaStack();
		browser = await launchChromium();
	});

	afterAll(async () => {
		await browser.close();
		await stack.close();
	});

	it('the teacher page publishes camera, microphone and screen', async () => {
		const credentials = await stack.token('teacher', 'Teacher');

		teacherId = credentials.userId;
		teacher = await openPage(browser, stack, 'teacher', credentials.token);
		await teacher.evaluate(async () => {
			await window.classroom?.startScreen?.();
		});

		// The pages publish once their join completes, so the router is polled.
		await expect
			.poll(
				async () => {
					const dump = (await stack.media.control.dumpClass(stack.classId)) as
						{ mapProducerIdConsumerIds: Record<string, unknown> } | undefined;

					return Object.keys(dump?.mapProducerIdConsumerIds ?? {}).length;
				},
				{ timeout: 10_000 },
			)
			.toBe(3);
	});

	it('a stage student joining the running class decodes the teacher, screen included', async () => {
		const credentials = await stack.token('student', 'Student');

		studentId = credentials.userId;
		await stack.putOnStage(studentId);
		student = await openPage(browser, stack, 'stage', credentials.token);

		const seen = await waitForMedia(student, teacherId, ['camera', 'screen', 'microphone']);
		const firstFrameMs = await student.evaluate(() => window.classroom?.firstFrameMs);

		expect(seen.filter((stat) => stat.kind === 'video')).toHaveLength(2);
		expect(firstFrameMs).toBeGreaterThan(0);
		process.stdout.write(
			`${JSON.stringify({ metric: 'time_to_first_decoded_frame_ms', value: firstFrameMs })}\n`,
		);
	});

	it('the teacher page decodes the stage student camera and gets the microphone', async () => {
		const seen = await waitForMedia(teacher, studentId, ['camera', 'microphone']);

		expect(seen.find((stat) => stat.source === 'camera')?.frameWidth).toBeGreaterThan(0);
	});

	it('the class hears who speaks: active speaker and audio levels reach the pages', async () => {
		await student.waitForFunction(
			() => window.classroom?.session.activeSpeaker !== undefined,
			undefined,
			{
				timeout: 10_000,
			},
		);

		await student.waitForFunction(
			() => (window.classroom?.session.audioLevels.length ?? 0) > 0,
			undefined,
			{ timeout: 10_000 },
		);

		const heard = await student.evaluate(() => ({
			speaker: window.classroom?.session.activeSpeaker,
			levels: window.classroom?.session.audioLevels.map((level) => level.userId) ?? [],
		}));

		expect([teacherId, studentId]).toContain(heard.speaker);
		for (const userId of heard.levels) {
			expect([teacherId, studentId]).toContain(userId);
		}
	});

	it('the teacher camera arrives in simulcast: the student may pick its smallest layer', async () => {
		const camera = (await receiveStats(student)).find(
			(stat) => stat.userId === teacherId && stat.source === 'camera',
		);

		expect(camera).toBeDefined();
		await student.evaluate(async (consumerId) => {
			await window.classroom?.session.setPreferredLayers(consumerId, 0);
		}, camera?.consumerId ?? '');

		const screen = (await receiveStats(student)).find((stat) => stat.source === 'screen');
		const refusal = await student.evaluate(async (consumerId) => {
			try {
				await window.classroom?.session.setPreferredLayers(consumerId, 0);

				return undefined;
			} catch (error) {
				return error instanceof Error ? error.message : String(error);
			}
		}, screen?.consumerId ?? '');

		// The screen is a single-layer producer, so the same request is refused.
		expect(refusal).toMatch(/^conflict/);
	});

	it('stopping the screen share drops that track from the student page', async () => {
		expect(
			await student.evaluate(() => document.querySelectorAll('video[data-source="screen"]').length),
		).toBe(1);

		await teacher.evaluate(async () => {
			await window.classroom?.stopScreen?.();
		});
		await student.waitForFunction(
			() => document.querySelectorAll('video[data-source="screen"]').length === 0,
			undefined,
			{ timeout: 10_000 },
		);

		const sources = (await receiveStats(student)).map((stat) => stat.source).sort();

		expect(sources).toEqual(['camera', 'microphone']);
	});

	it('taking the student off the stage removes their media from the teacher page', async () => {
		await stack.media.signaling.onStageRemoved(stack.classId, studentId);
		await teacher.waitForFunction(() => window.classroom?.remoteVideoCount() === 0, undefined, {
			timeout: 10_000,
		});

		expect(await receiveStats(teacher)).toEqual([]);
		await student.waitForFunction(
			() => document.querySelector('#status')?.textContent.startsWith('stopped publishing'),
			undefined,
			{ timeout: 10_000 },
		);
	});
});
