import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildPages } from '../../web/build.ts';
import { launchChromium, type Browser } from '../support/chromium.ts';
import { openPage, receiveStats, waitForMedia } from '../support/mediaPages.ts';
import { startMediaStack, type MediaStack } from '../support/mediaStack.ts';

/** The consumers a page has now, so a later wait can insist on new ones. */
async function currentConsumers(page: Page): Promise<Set<string>> {
	return new Set((await receiveStats(page)).map((stat) => stat.consumerId));
}

describe('pages rejoin the class by themselves', () => {
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

		const teacherLogin = await stack.token('teacher', 'Teacher');
		const studentLogin = await stack.token('student', 'Student');

		teacherId = teacherLogin.userId;
		studentId = studentLogin.userId;
		await stack.putOnStage(studentId);
		teacher = await openPage(browser, stack, 'teacher', teacherLogin.token);
		student = await openPage(browser, stack, 'stage', studentLogin.token);
		await waitForMedia(student, teacherId, ['camera', 'microphone']);
		await waitForMedia(teacher, studentId, ['camera', 'microphone']);
	});

	afterAll(async () => {
		await browser.close();
		await stack.close();
	});

	it('after kill -9 of the mediasoup worker, frames decode again within 10 s', async () => {
		const [slot] = stack.media.pool.workers;

		if (slot === undefined) {
			throw new Error('no worker running');
		}

		const oldPid = slot.worker.pid;
		const studentBefore = await currentConsumers(student);
		const teacherBefore = await currentConsumers(teacher);
		const killedAt = Date.now();

		process.kill(oldPid, 'SIGKILL');

		// Both waits run at once and share the 10 s from the kill.
		await Promise.all([
			waitForMedia(student, teacherId, ['camera', 'microphone'], 10_000, studentBefore),
			waitForMedia(teacher, studentId, ['camera', 'microphone'], 10_000, teacherBefore),
		]);

		const recoveredMs = Date.now() - killedAt;

		expect(stack.media.pool.workers[0]?.worker.pid).not.toBe(oldPid);
		expect(recoveredMs).toBeLessThan(10_000);
		process.stdout.write(
			`${JSON.stringify({ metric: 'worker_kill_to_decoding_again_ms', value: recoveredMs })}\n`,
		);
	});

	it('after the teacher page loses its socket, both pages get each other back', async () => {
		const studentBefore = await currentConsumers(student);
		const teacherBefore = await currentConsumers(teacher);

		// Closing the engine is what a network drop looks like to socket.io;
		// the client reconnects by itself, unlike after a deliberate disconnect.
		await teacher.evaluate(() => {
			window.classroom?.session.socket.io.engine.close();
		});

		await Promise.all([
			waitForMedia(student, teacherId, ['camera', 'microphone'], 15_000, studentBefore),
			waitForMedia(teacher, studentId, ['camera', 'microphone'], 15_000, teacherBefore),
		]);
	});
});
