// The class panels in real pages: the teacher studio and an audience page
// (and, when the member is on stage, the stage page) on one real signaling
// process, driven through their DOM the way people use them.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { signJoinToken, type JoinClaims } from '../../common/auth/JoinToken.ts';
import { buildPages } from '../../web/build.ts';
import { launchChromium, type Browser } from '../support/chromium.ts';
import { createTestResources, type TestResources } from '../support/resources.ts';
import { memberClaims, SignalingProcess, testSigningKey } from '../support/signalingProcess.ts';

/** The texts of a tally's lines, whitespace collapsed: "Yes 1 (100%)". */
async function tallyLines(scope: Locator): Promise<string[]> {
	const lines = await scope.locator('.tally li').allTextContents();

	return lines.map((line) => line.replace(/\s+/g, ' ').trim());
}

describe('class panels on the audience page and the teacher studio', () => {
	const classId = randomUUID();
	const viewer = memberClaims(classId, 'audience', 'Ada Audience');
	let resources: TestResources;
	let dataDir: string;
	let signaling: SignalingProcess;
	let browser: Browser;
	let teacher: Page;
	let audience: Page;
	let viewerToken: string;

	const region = (page: Page, name: string): Locator =>
		page.getByRole('region', { name, exact: true });

	/** `clockSkewMs` sets the page's clock that far off the machine's. */
	async function openPage(
		kind: 'teacher' | 'audience',
		token: string,
		clockSkewMs = 0,
	): Promise<Page> {
		const page = await browser.context.newPage();

		if (clockSkewMs !== 0) {
			await page.addInitScript((skew) => {
				const now = Date.now.bind(Date);

				Date.now = () => now() + skew;
			}, clockSkewMs);
		}

		page.on('pageerror', (error) => process.stderr.write(`[${kind} page] ${error.message}\n`));
		await page.goto(`${signaling.url}/${kind}/#token=${token}`);

		return page;
	}

	async function tokenFor(claims: JoinClaims): Promise<string> {
		return signJoinToken(testSigningKey(), claims, 600);
	}

	beforeAll(async () => {
		await buildPages();
		resources = await createTestResources();
		dataDir = mkdtempSync(join(tmpdir(), 'class-panel-'));
		signaling = await SignalingProcess.start(
			{
				REDIS_URL: resources.redisUrl,
				MONGODB_URL: resources.mongoUrl,
				MONGODB_DATABASE: resources.mongoDatabase,
				SIGNALING_REDIS_PREFIX: resources.redisPrefix,
				SIGNALING_PRESENCE_COUNT_INTERVAL_MS: '500',
				S3_BUCKET: resources.bucket,
				CLASSROOM_DATA_DIR: dataDir,
				// The teacher page publishes, so the program goes on air; one small
				// rung keeps its ffmpeg light on a 2-core machine.
				HLS_LADDER: '240p:426x240:300',
			},
			dataDir,
		);
		browser = await launchChromium();
		teacher = await openPage(
			'teacher',
			await tokenFor(memberClaims(classId, 'teacher', 'Teacher Tara')),
		);
		await region(teacher, 'Class').getByText('1 person in the class').waitFor();
		// The media events share the socket with the class events.
		await teacher.getByText('live', { exact: true }).waitFor();
		viewerToken = await tokenFor(viewer);
		audience = await openPage('audience', viewerToken);
		await region(audience, 'Class').getByText('connected', { exact: true }).waitFor();
	});

	afterAll(async () => {
		await browser.close();
		await signaling.stop();
		await resources.release();
		rmSync(dataDir, { recursive: true, force: true });
	});

	it('chat from the audience page shows in the studio; a message the teacher deletes leaves both', async () => {
		const chat = region(audience, 'Chat');
		const studioChat = region(teacher, 'Chat');

		await region(audience, 'Class').getByText('2 people in the class').waitFor();
		await chat
			.getByRole('textbox', { name: 'Message', exact: true })
			.fill('Hello from the back row');
		await chat.getByRole('button', { name: 'Send' }).click();

		// The page shows its own message as soon as the server took it.
		await chat
			.getByRole('listitem')
			.filter({ hasText: 'You: Hello from the back row' })
			.waitFor({ timeout: 10_000 });
		expect(await chat.getByRole('textbox', { name: 'Message', exact: true }).inputValue()).toBe('');
		await studioChat
			.getByRole('listitem')
			.filter({ hasText: 'Ada Audience: Hello from the back row' })
			.waitFor({ timeout: 10_000 });

		await studioChat
			.getByRole('button', {
				name: 'Delete the message from Ada Audience: Hello from the back row',
			})
			.click();
		await chat.getByText('Hello from the back row').waitFor({ state: 'detached' });
		await studioChat.getByText('Hello from the back row').waitFor({ state: 'detached' });
	});

	it('a raised hand reaches the studio, the invitation is accepted, and the teacher sees the member on stage', async () => {
		const hand = region(audience, 'Hand');
		const stage = region(audience, 'Stage');
		const hands = region(teacher, 'Raised hands');
		const onStage = region(teacher, 'On the stage');

		await hand.getByRole('button', { name: 'Raise hand' }).click();
		await hand.getByText('Your hand is up: number 1 in the queue.').waitFor();
		await hands.getByRole('button', { name: 'Invite Ada Audience to the stage' }).click();
		await hands.getByRole('button', { name: 'Ada Audience is invited to the stage' }).waitFor();

		await stage.getByText('Teacher Tara invites you to the stage.').waitFor();
		await stage.getByRole('button', { name: 'Accept' }).click();

		const link = stage.getByRole('link', { name: 'Open the stage page' });

		await link.waitFor();
		expect(await link.getAttribute('href')).toBe(`/stage/#token=${viewerToken}`);
		await onStage.getByRole('listitem').filter({ hasText: 'Ada Audience' }).waitFor();
		await hands.getByText('No hands raised.').waitFor();
		await hands.getByText('Ada Audience accepted and is on the stage.').waitFor();
		await hand.getByText('Your hand is down: you are on the stage.').waitFor();
		await hand.getByRole('button', { name: 'Raise hand' }).waitFor();

		// The link opens the stage page with the same token: chat and count are there too.
		const [stagePage] = await Promise.all([browser.context.waitForEvent('page'), link.click()]);

		stagePage.on('pageerror', (error) => process.stderr.write(`[stage page] ${error.message}\n`));
		// On the stage, the audience member may join the media session.
		await stagePage.getByText('live', { exact: true }).waitFor();
		await region(stagePage, 'Class').getByText('2 people in the class').waitFor();
		await region(teacher, 'Chat')
			.getByRole('textbox', { name: 'Message', exact: true })
			.fill('Welcome to the stage, Ada');
		await region(teacher, 'Chat').getByRole('button', { name: 'Send' }).click();
		await region(stagePage, 'Chat')
			.getByRole('listitem')
			.filter({ hasText: 'Teacher Tara: Welcome to the stage, Ada' })
			.waitFor({ timeout: 10_000 });

		await onStage.getByRole('button', { name: 'Mute the microphone of Ada Audience' }).click();
		await region(stagePage, 'Your microphone')
			.getByText('The teacher muted your microphone.')
			.waitFor();
		await region(stagePage, 'Your microphone')
			.getByRole('button', { name: 'Unmute microphone' })
			.waitFor();
		await stagePage.close();

		await onStage.getByRole('button', { name: 'Remove Ada Audience from the stage' }).click();
		await stage.getByText('You are no longer on the stage.').waitFor();
		await onStage.getByText('Nobody is on the stage.').waitFor();
	});

	it('a poll is answered once, a second answer from another tab is refused, and both pages show the same tally', async () => {
		const polls = region(teacher, 'Polls');

		await polls.getByLabel('Poll question').fill('Ready for the test?');
		await polls.getByLabel(/^Poll options/).fill('Yes\nNo\nMaybe');
		await polls.getByRole('button', { name: 'Open poll' }).click();

		const card = audience.getByRole('article', { name: 'Poll: Ready for the test?' });
		const secondTab = await openPage('audience', viewerToken);
		const secondCard = secondTab.getByRole('article', { name: 'Poll: Ready for the test?' });

		await card.getByLabel('Yes', { exact: true }).check();
		await card.getByRole('button', { name: 'Answer' }).click();
		await card.getByText('Your answer is in.').waitFor();
		expect(await card.getByRole('button', { name: 'Answer' }).isDisabled()).toBe(true);
		expect(await card.getByLabel('No', { exact: true }).isDisabled()).toBe(true);

		// The second tab opened before the answer; the server refuses its answer.
		await secondCard.getByLabel('No', { exact: true }).check();
		await secondCard.getByRole('button', { name: 'Answer' }).click();
		await secondCard.getByText('conflict: you have already answered').waitFor();

		const studioCard = teacher.getByRole('article', { name: 'Poll: Ready for the test?' });

		await studioCard.getByText('1 person answered').waitFor();
		await studioCard.getByRole('button', { name: 'Close the poll: Ready for the test?' }).click();
		await card.getByText('Closed. Results:').waitFor();
		await secondCard.getByText('Closed. Results:').waitFor();
		await studioCard.getByText('Closed. Results:').waitFor();

		const expected = ['Yes 1 (100%)', 'No 0 (0%)', 'Maybe 0 (0%)'];

		expect(await tallyLines(card)).toEqual(expected);
		expect(await tallyLines(secondCard)).toEqual(expected);
		expect(await tallyLines(studioCard)).toEqual(expected);
		await secondTab.close();
	});

	it('a quiz question reaches a member who joins mid-question with a skewed clock, a reloaded studio shows its tally, and the close shows the right answer and the leaderboard', async () => {
		const quiz = region(teacher, 'Quiz');

		await quiz.getByLabel('Quiz question').fill('Capital of France?');
		await quiz.getByLabel(/^Quiz options/).fill('Lyon\nParis\nNice');
		await quiz.getByLabel('Right answer').selectOption({ label: 'Paris' });
		await quiz.getByLabel('Seconds to answer').fill('60');
		await quiz.getByRole('button', { name: 'Ask question' }).click();

		const card = audience.getByRole('article', { name: 'Quiz: Capital of France?' });

		await card.waitFor();

		// Late Lou's clock is two minutes behind: the countdown still shows the
		// server's time left, at most the 60 s the question runs.
		const late = await openPage(
			'audience',
			await tokenFor(memberClaims(classId, 'audience', 'Late Lou')),
			-120_000,
		);
		const lateCard = late.getByRole('article', { name: 'Quiz: Capital of France?' });
		const timeLeft = await lateCard.getByRole('timer').textContent();

		expect(Number(/^(\d+) s left$/.exec(timeLeft ?? '')?.[1])).toBeLessThanOrEqual(60);

		await lateCard.getByRole('button', { name: 'Paris' }).click();
		await lateCard.getByText('Your answer: Paris.').waitFor();
		await card.getByRole('button', { name: 'Lyon' }).click();
		await card.getByText('Your answer: Lyon.').waitFor();

		const studioCard = teacher.getByRole('article', { name: 'Quiz: Capital of France?' });

		await studioCard.getByText('2 people answered').waitFor();

		// A reloaded studio draws the open question with its right answer and tally so far.
		await teacher.reload();
		await studioCard.getByText('2 people answered').waitFor();
		expect(await tallyLines(studioCard)).toEqual([
			'Lyon 1 (50%)',
			'Paris (right answer) 1 (50%)',
			'Nice 0 (0%)',
		]);
		await studioCard
			.getByRole('button', { name: 'Close the question: Capital of France?' })
			.click();
		await lateCard.getByText('The right answer: Paris. You were right.').waitFor();
		await card.getByText('The right answer: Paris. Not this time.').waitFor();

		const expected = ['Lyon 1 (50%)', 'Paris (right answer) 1 (50%)', 'Nice 0 (0%)'];

		expect(await tallyLines(card)).toEqual(expected);
		expect(await tallyLines(studioCard)).toEqual(expected);
		expect(
			await card.getByRole('list', { name: 'Leaderboard' }).getByRole('listitem').allTextContents(),
		).toEqual([expect.stringMatching(/^Late Lou: \d+ points$/)]);
		await late.close();
	});

	it('a private message from the member list reaches the member, and the teacher, marked private', async () => {
		const members = region(teacher, 'Members');

		await members.getByLabel('Search members by name').fill('ada');
		await members.getByRole('button', { name: 'Message Ada Audience privately' }).click();
		await members
			.getByRole('textbox', { name: 'Private message to Ada Audience' })
			.fill('Stay after class, please');
		await members.getByRole('button', { name: 'Send privately' }).click();
		await members.getByText('Private message sent to Ada Audience.').waitFor();
		await region(audience, 'Chat')
			.getByRole('listitem')
			.filter({ hasText: '(private): Stay after class, please' })
			.waitFor();
		// The sender's copy, for the teacher's other tabs too.
		await region(teacher, 'Chat')
			.getByRole('listitem')
			.filter({ hasText: '(private): Stay after class, please' })
			.waitFor();
	});

	it('a member muted from the member list is refused with muted, and slow mode refuses a second message', async () => {
		const members = region(teacher, 'Members');
		const chat = region(audience, 'Chat');
		const send = async (text: string): Promise<void> => {
			await chat.getByRole('textbox', { name: 'Message', exact: true }).fill(text);
			await chat.getByRole('button', { name: 'Send' }).click();
		};

		await members.getByLabel('Search members by name').fill('ada');
		await members.getByRole('button', { name: 'Mute Ada Audience' }).click();
		await members.getByText('Ada Audience is muted.').waitFor();
		await chat.getByText('The teacher has muted you.').waitFor();

		await send('Can I still talk?');
		await chat.getByText('muted: the teacher has muted you in this class').waitFor();
		expect(await chat.getByRole('textbox', { name: 'Message', exact: true }).inputValue()).toBe(
			'Can I still talk?',
		);

		await members.getByRole('button', { name: 'Unmute Ada Audience' }).click();
		await chat.getByText('The teacher has muted you.').waitFor({ state: 'detached' });

		const settings = region(teacher, 'Chat settings');

		await settings.getByLabel(/^Slow mode/).fill('30');
		await settings.getByRole('button', { name: 'Set slow mode' }).click();
		await chat.getByText('Slow mode: one message every 30 seconds.').waitFor();

		await send('First in slow mode');
		await region(teacher, 'Chat')
			.getByRole('listitem')
			.filter({ hasText: 'Ada Audience: First in slow mode' })
			.waitFor({ timeout: 10_000 });
		await send('Second in slow mode');
		await chat.getByText('rate_limited: slow mode: one message every 30 seconds').waitFor();
		expect(await region(teacher, 'Chat').getByText('Can I still talk?').count()).toBe(0);
	});
});
