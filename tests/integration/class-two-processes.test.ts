// The interactive class across two signaling processes sharing one Redis:
// whatever the teacher does on process A reaches members on process B, and
// every refusal carries a stable code without hurting anyone else.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CLASS_LIFECYCLE_CHANNEL } from '../../common/events/ClassLifecycle.ts';
import type { ChatMessage, Tally } from '../../signaling/protocol/class.ts';
import { createTestResources, type TestResources } from '../support/resources.ts';
import {
	joinClass,
	memberClaims,
	next,
	request,
	SignalingProcess,
	type Member,
} from '../support/signalingProcess.ts';

const PRESENCE_TTL_SECONDS = 3;

describe('interactive class on two signaling processes', () => {
	let resources: TestResources;
	let logDir: string;
	let env: Record<string, string>;
	let a: SignalingProcess;
	let b: SignalingProcess;
	let redis: Redis;
	const members: Member[] = [];
	const classId = randomUUID();
	let teacher: Member;
	let student: Member;
	let closedPollId = '';

	async function member(
		on: SignalingProcess,
		role: 'teacher' | 'student' | 'audience',
		name: string,
		inClass = classId,
	): Promise<Member> {
		const joined = await joinClass(on.url, memberClaims(inClass, role, name));

		members.push(joined);

		return joined;
	}

	beforeAll(async () => {
		resources = await createTestResources();
		logDir = mkdtempSync(join(tmpdir(), 'class-two-'));
		env = {
			REDIS_URL: resources.redisUrl,
			MONGODB_URL: resources.mongoUrl,
			MONGODB_DATABASE: resources.mongoDatabase,
			SIGNALING_REDIS_PREFIX: resources.redisPrefix,
			SIGNALING_PRESENCE_TTL_SECONDS: String(PRESENCE_TTL_SECONDS),
			SIGNALING_PRESENCE_COUNT_INTERVAL_MS: '300',
			SIGNALING_STAGE_LIMIT: '1',
		};
		[a, b] = await SignalingProcess.startPair(env, logDir);
		redis = new Redis(resources.redisUrl, { keyPrefix: resources.redisPrefix });
		teacher = await member(a, 'teacher', 'Teacher Tara');
		student = await member(b, 'student', 'Student Sam');
	});

	afterAll(async () => {
		for (const joined of members) {
			joined.socket.close();
		}

		await Promise.all([a.stop(), b.stop()]);
		redis.disconnect();
		await resources.release();
		rmSync(logDir, { recursive: true, force: true });
	});

	it('delivers class chat sent on A to a member on B, in a batch', async () => {
		const batch = next(student.socket, 'chat:batch', (messages) =>
			messages.some((message) => message.text === 'welcome, everyone'),
		);
		const ack = await request(teacher.socket, 'chat:send', { text: 'welcome, everyone' });

		expect(ack.ok).toBe(true);
		expect((await batch).find((message) => message.text === 'welcome, everyone')).toMatchObject({
			userId: teacher.claims.userId,
			displayName: 'Teacher Tara',
		});
	});

	it('delivers a burst once and in order to every member of both processes', async () => {
		// Four: the teacher's chat allowance after the message of the test before.
		const texts = ['one', 'two', 'three', 'four'].map((word) => `burst ${word}`);
		const audience = await Promise.all(
			Array.from({ length: 24 }, (_, index) =>
				member(index % 2 === 0 ? a : b, 'audience', `Burst Member ${index}`),
			),
		);
		const received = audience.map(() => [] as string[]);

		audience.forEach((joined, index) => {
			joined.socket.on('chat:batch', (messages) => {
				for (const message of messages) {
					if (message.text.startsWith('burst ')) {
						received[index]?.push(message.text);
					}
				}
			});
		});

		for (const text of texts) {
			expect(await request(teacher.socket, 'chat:send', { text })).toMatchObject({ ok: true });
		}

		const deadline = Date.now() + 10_000;

		while (received.some((got) => got.length < texts.length) && Date.now() < deadline) {
			await sleep(50);
		}

		// Two more ticks, so a second copy would have arrived.
		await sleep(600);
		expect(received).toEqual(audience.map(() => texts));

		for (const joined of audience) {
			joined.socket.close();
		}
	});

	it('gives a member who joins later the recent messages', async () => {
		await request(student.socket, 'chat:send', { text: 'history please' });

		const late = await member(a, 'audience', 'Late Lee');

		expect(late.welcome.history.map((message: ChatMessage) => message.text)).toContain(
			'history please',
		);
	});

	it('delivers a private message from the teacher on A only to its recipient on B', async () => {
		const other = await member(b, 'audience', 'Other Olu');
		let otherGotIt = false;

		other.socket.on('chat:private', () => {
			otherGotIt = true;
		});

		const received = next(student.socket, 'chat:private');
		const ack = await request(teacher.socket, 'chat:private', {
			toUserId: student.claims.userId,
			text: 'see me after class',
		});

		expect(ack.ok).toBe(true);
		expect(await received).toMatchObject({ text: 'see me after class' });
		await sleep(300);
		expect(otherGotIt).toBe(false);
	});

	it('refuses the chat of a muted member with the muted code', async () => {
		const muted = await member(b, 'audience', 'Muted Max');
		const told = next(muted.socket, 'moderation:muted');

		expect(
			await request(teacher.socket, 'moderation:mute', {
				userId: muted.claims.userId,
				muted: true,
			}),
		).toMatchObject({ ok: true });
		expect(await told).toEqual({ muted: true });

		const refused = await request(muted.socket, 'chat:send', { text: 'can I still talk?' });

		expect(refused).toMatchObject({ ok: false, error: { code: 'muted' } });
	});

	it('tells members on B that the teacher on A deleted a message, and locks the chat', async () => {
		const sent = await request(student.socket, 'chat:send', { text: 'oops' });

		expect(sent.ok).toBe(true);

		const messageId = sent.ok ? (sent.data as { id: string }).id : '';
		const deleted = next(student.socket, 'chat:deleted');

		await request(teacher.socket, 'chat:delete', { messageId });
		expect(await deleted).toEqual({ messageId });

		const settings = next(student.socket, 'chat:settings', (value) => value.locked);

		await request(teacher.socket, 'chat:lock', { locked: true });
		await settings;
		expect(await request(student.socket, 'chat:send', { text: 'hello?' })).toMatchObject({
			ok: false,
			error: { code: 'chat_locked' },
		});
		await request(teacher.socket, 'chat:lock', { locked: false });
	});

	it('runs a poll across processes: one answer each, identical tallies when closed', async () => {
		const opened = next(student.socket, 'poll:opened');
		const open = await request(teacher.socket, 'poll:open', {
			question: 'Ready for the test?',
			options: ['yes', 'no', 'maybe'],
		});

		expect(open.ok).toBe(true);

		const { pollId } = await opened;
		const voterOnA = await member(a, 'audience', 'Voter Vi');

		expect(await request(student.socket, 'poll:answer', { pollId, choices: [0] })).toMatchObject({
			ok: true,
		});
		expect(await request(voterOnA.socket, 'poll:answer', { pollId, choices: [2] })).toMatchObject({
			ok: true,
		});
		expect(await request(student.socket, 'poll:answer', { pollId, choices: [1] })).toMatchObject({
			ok: false,
			error: { code: 'conflict' },
		});
		expect(await request(student.socket, 'poll:close', { pollId })).toMatchObject({
			ok: false,
			error: { code: 'forbidden' },
		});

		const closedOnB = next(student.socket, 'poll:closed');
		const closedOnA = next(voterOnA.socket, 'poll:closed');

		await request(teacher.socket, 'poll:close', { pollId });
		closedPollId = pollId;

		const expected: Tally = { counts: [1, 0, 1], voters: 2 };

		expect((await closedOnB).tally).toEqual(expected);
		expect((await closedOnA).tally).toEqual(expected);
		expect(await request(student.socket, 'poll:results', { pollId })).toEqual({
			ok: true,
			data: { open: false, tally: expected },
		});
		expect(await request(voterOnA.socket, 'poll:results', { pollId })).toEqual({
			ok: true,
			data: { open: false, tally: expected },
		});
	});

	it('runs a timed quiz across processes with a leaderboard', async () => {
		const asked = next(student.socket, 'quiz:question');

		await request(teacher.socket, 'quiz:ask', {
			question: '2 + 2?',
			options: ['3', '4'],
			correct: 1,
			seconds: 30,
		});

		const { questionId } = await asked;
		const closed = next(student.socket, 'quiz:closed');

		expect(
			await request(student.socket, 'poll:answer', { pollId: questionId, choices: [1] }),
		).toMatchObject({ ok: false, error: { code: 'not_found' } });

		expect(await request(student.socket, 'quiz:answer', { questionId, choice: 1 })).toMatchObject({
			ok: true,
		});
		expect(await request(student.socket, 'quiz:answer', { questionId, choice: 0 })).toMatchObject({
			ok: false,
			error: { code: 'conflict' },
		});

		// What a reloaded studio asks for; a teacher's second tab on B.
		const teacherOnB = await joinClass(b.url, teacher.claims);

		members.push(teacherOnB);
		expect(await request(teacherOnB.socket, 'quiz:results', { questionId })).toEqual({
			ok: true,
			data: { open: true, correct: 1, tally: { counts: [0, 1], voters: 1 } },
		});
		expect(await request(student.socket, 'quiz:results', { questionId })).toMatchObject({
			ok: false,
			error: { code: 'forbidden' },
		});
		await request(teacher.socket, 'quiz:close', { questionId });

		const result = await closed;

		expect(result.correct).toBe(1);
		expect(result.tally).toEqual({ counts: [0, 1], voters: 1 });
		expect(result.leaderboard[0]).toMatchObject({
			userId: student.claims.userId,
			displayName: 'Student Sam',
		});
		expect(result.leaderboard[0]?.points).toBeGreaterThan(100);
	});

	it('puts a student on B on the stage from A, mutes and removes them, within the limit', async () => {
		const invited = next(student.socket, 'stage:invited');

		await request(teacher.socket, 'stage:invite', { userId: student.claims.userId });
		await invited;

		const onStage = next(teacher.socket, 'stage:changed', (change) => change.onStage);

		expect(await request(student.socket, 'stage:accept', {})).toMatchObject({ ok: true });
		expect(await onStage).toEqual({ userId: student.claims.userId, onStage: true });
		expect(await redis.smembers(`class:${classId}:stage`)).toEqual([student.claims.userId]);

		const second = await member(a, 'student', 'Second Sue');

		await request(teacher.socket, 'stage:invite', { userId: second.claims.userId });
		expect(await request(second.socket, 'stage:accept', {})).toMatchObject({
			ok: false,
			error: { code: 'stage_full' },
		});

		const muted = next(student.socket, 'stage:mute');

		await request(teacher.socket, 'stage:mute', { userId: student.claims.userId, muted: true });
		expect(await muted).toEqual({ muted: true });

		const offStage = next(student.socket, 'stage:changed', (change) => !change.onStage);

		await request(teacher.socket, 'stage:remove', { userId: student.claims.userId });
		expect(await offStage).toEqual({ userId: student.claims.userId, onStage: false });
		expect(await redis.smembers(`class:${classId}:stage`)).toEqual([]);
	});

	it('queues raised hands in order for the teacher', async () => {
		const first = await member(b, 'audience', 'Hand One');
		const second = await member(a, 'audience', 'Hand Two');

		expect(await request(first.socket, 'hand:raise', {})).toMatchObject({
			ok: true,
			data: { position: 1 },
		});
		expect(await request(second.socket, 'hand:raise', {})).toMatchObject({
			ok: true,
			data: { position: 2 },
		});

		const queue = await request(teacher.socket, 'hand:list', {});

		expect(queue).toMatchObject({
			ok: true,
			data: { queue: [{ displayName: 'Hand One' }, { displayName: 'Hand Two' }] },
		});
		expect(await request(first.socket, 'hand:list', {})).toMatchObject({
			ok: false,
			error: { code: 'forbidden' },
		});
	});

	it("takes a leaving member's hand out of the teacher's queue at once", async () => {
		const leaving = await member(b, 'audience', 'Hand Leaving');

		await request(leaving.socket, 'hand:raise', {});
		await next(teacher.socket, 'hand:queue', ({ queue }) =>
			queue.some((raised) => raised.userId === leaving.claims.userId),
		);

		const pushed = next(
			teacher.socket,
			'hand:queue',
			({ queue }) => !queue.some((raised) => raised.userId === leaving.claims.userId),
		);

		leaving.socket.close();
		expect((await pushed).queue.map((raised) => raised.displayName)).toEqual([
			'Hand One',
			'Hand Two',
		]);
	});

	it('removes a member on B from A: told, disconnected, refused on return', async () => {
		const removed = await member(b, 'audience', 'Rowdy Rob');
		const told = next(removed.socket, 'moderation:removed');
		const gone = new Promise<void>((resolve) => removed.socket.once('disconnect', () => resolve()));

		await request(teacher.socket, 'moderation:remove', { userId: removed.claims.userId });
		await told;
		await gone;
		await expect(joinClass(b.url, removed.claims)).rejects.toMatchObject({
			data: { code: 'forbidden' },
		});
	});

	it('ends a class on every process when the app API says so: told, disconnected, refused on return', async () => {
		const endedClass = randomUUID();
		const onA = await member(a, 'teacher', 'Ending Eve', endedClass);
		const onB = await member(b, 'audience', 'Ending Ed', endedClass);
		const told = [next(onA.socket, 'class:ended'), next(onB.socket, 'class:ended')];
		const gone = [onA, onB].map(
			({ socket }) => new Promise<void>((resolve) => socket.once('disconnect', () => resolve())),
		);
		const publisher = new Redis(resources.redisUrl);

		try {
			await publisher.publish(
				CLASS_LIFECYCLE_CHANNEL,
				JSON.stringify({ type: 'class.ended', classId: endedClass, at: new Date().toISOString() }),
			);
		} finally {
			publisher.disconnect();
		}

		expect(await Promise.all(told)).toEqual([{ reason: 'ended' }, { reason: 'ended' }]);
		await Promise.all(gone);
		for (const on of [a, b]) {
			await expect(joinClass(on.url, onB.claims)).rejects.toMatchObject({
				data: { code: 'class_ended' },
			});
		}

		// The class of the other tests carries on.
		expect(student.socket.connected).toBe(true);
		expect(await request(student.socket, 'chat:history', { limit: 1 })).toMatchObject({
			ok: true,
		});
	});

	it('lists members for the teacher, paged and searchable, and pushes counts to everyone', async () => {
		const page = await request(teacher.socket, 'presence:list', { search: 'student', limit: 5 });

		expect(page).toMatchObject({
			ok: true,
			data: { members: [{ userId: student.claims.userId, displayName: 'Student Sam' }] },
		});

		const count = await next(student.socket, 'presence:count');

		expect(count.count).toBeGreaterThanOrEqual(2);
		expect(await request(student.socket, 'presence:list', {})).toMatchObject({
			ok: false,
			error: { code: 'forbidden' },
		});
	});

	it('pushes the count when it changes, and nothing while it holds still', async () => {
		// Three push intervals (300 ms) with no joins and no leaves.
		await sleep(900);

		const quiet: number[] = [];
		const listener = ({ count }: { count: number }) => quiet.push(count);

		student.socket.on('presence:count', listener);
		await sleep(900);
		student.socket.off('presence:count', listener);
		expect(quiet).toEqual([]);

		const before = await request(teacher.socket, 'presence:list', { limit: 1 });
		const counted = before.ok ? (before.data as { count: number }).count : -1;
		const pushed = next(student.socket, 'presence:count');

		await member(a, 'audience', 'Newcomer Nia');
		expect(await pushed).toEqual({ count: counted + 1 });
	});

	it('keeps members of another class out: their teacher cannot reach this class', async () => {
		const outsider = await member(b, 'teacher', 'Other Teacher', randomUUID());
		let leaked = false;

		student.socket.on('poll:opened', (poll) => {
			if (poll.question === 'Leak?') {
				leaked = true;
			}
		});

		const ours = await request(teacher.socket, 'poll:open', {
			question: 'Ours',
			options: ['a', 'b'],
		});
		const pollId = ours.ok ? (ours.data as { pollId: string }).pollId : '';

		await request(outsider.socket, 'poll:open', { question: 'Leak?', options: ['a', 'b'] });
		expect(await request(outsider.socket, 'poll:close', { pollId })).toMatchObject({
			ok: false,
			error: { code: 'not_found' },
		});
		expect(
			await request(outsider.socket, 'moderation:mute', {
				userId: student.claims.userId,
				muted: true,
			}),
		).toMatchObject({ ok: true });
		expect(await request(student.socket, 'chat:send', { text: 'still free' })).toMatchObject({
			ok: true,
		});
		await sleep(300);
		expect(leaked).toBe(false);
	});

	it('answers media requests on the same socket as the class events, never as unknown', async () => {
		const host = await member(a, 'teacher', 'Media Mira');
		const join = await request(host.socket, 'media:join', {});

		expect(join).toMatchObject({ ok: true, data: { peerId: host.socket.id } });
		expect(await request(host.socket, 'media:join', {})).toMatchObject({
			ok: false,
			error: { code: 'conflict' },
		});
		expect(await request(host.socket, 'media:leave', {})).toEqual({ ok: true, data: {} });
		host.socket.disconnect();
	});

	it('refuses malformed, oversized, unknown and flooding input with stable codes', async () => {
		const flooder = await member(b, 'audience', 'Flood Fred');

		expect(await request(flooder.socket, 'chat:send', { text: 42 })).toMatchObject({
			ok: false,
			error: { code: 'bad_request' },
		});
		expect(await request(flooder.socket, 'chat:send', { text: 'x'.repeat(10_000) })).toMatchObject({
			ok: false,
			error: { code: 'payload_too_large' },
		});
		expect(
			await request(flooder.socket, 'poll:answer', { pollId: '../../x', choices: [0] }),
		).toMatchObject({ ok: false, error: { code: 'bad_request' } });
		expect(await request(flooder.socket, 'no:such', {})).toMatchObject({
			ok: false,
			error: { code: 'unknown_event' },
		});

		const replies = await Promise.all(
			Array.from({ length: 40 }, (_, index) =>
				request(flooder.socket, 'chat:send', { text: `flood ${index}` }),
			),
		);
		const codes = new Set(replies.flatMap((reply) => (reply.ok ? [] : [reply.error.code])));

		expect(codes).toEqual(new Set(['rate_limited']));
		expect(flooder.socket.connected).toBe(true);

		const batch = next(student.socket, 'chat:batch', (messages) =>
			messages.some((message) => message.text === 'the class carries on'),
		);

		await request(teacher.socket, 'chat:send', { text: 'the class carries on' });
		await batch;
	});

	it('stores poll results and analytics events in MongoDB', async () => {
		const client = new MongoClient(resources.mongoUrl);

		try {
			const db = client.db(resources.mongoDatabase);
			const deadline = Date.now() + 15_000;
			let types: string[] = [];
			let result: unknown = null;

			while (Date.now() < deadline) {
				types = (await db.collection('analytics_events').distinct('type', { classId })).map(String);
				result = await db.collection('class_results').findOne({ _id: closedPollId as never });
				if (types.length === 5 && result !== null) {
					break;
				}

				await sleep(300);
			}

			expect(types.sort()).toEqual(['answer', 'chat', 'hand_raise', 'join', 'leave']);
			expect(result).toMatchObject({ classId, kind: 'poll', counts: [1, 0, 1], voters: 2 });
		} finally {
			await client.close();
		}
	});

	it("pages older chat from MongoDB without deleted or others' private messages", async () => {
		const deadline = Date.now() + 15_000;
		let texts: string[] = [];

		while (Date.now() < deadline) {
			const reply = await request(student.socket, 'chat:history', {
				limit: 100,
			});

			texts = reply.ok
				? (reply.data as { messages: ChatMessage[] }).messages.map((message) => message.text)
				: [];
			if (texts.includes('the class carries on')) {
				break;
			}

			await sleep(300);
		}

		expect(texts.indexOf('welcome, everyone')).toBeLessThan(texts.indexOf('history please'));
		expect(texts).toContain('see me after class');
		expect(texts).not.toContain('oops');

		const older = await request(student.socket, 'chat:history', { limit: 1 });
		const newest = older.ok ? (older.data as { messages: ChatMessage[] }).messages[0] : undefined;
		const before = await request(student.socket, 'chat:history', {
			before: newest?.at ?? 0,
			limit: 100,
		});

		expect(before.ok && (before.data as { messages: ChatMessage[] }).messages.length).toBe(
			texts.length - 1,
		);

		const bystander = members.find((joined) => joined.claims.displayName === 'Other Olu');
		const seen = bystander && (await request(bystander.socket, 'chat:history', { limit: 100 }));
		const seenTexts =
			seen?.ok === true
				? (seen.data as { messages: ChatMessage[] }).messages.map((message) => message.text)
				: [];

		expect(seenTexts).toContain('welcome, everyone');
		expect(seenTexts).not.toContain('see me after class');
	});

	it('drops the members of a killed process from presence within the expiry, hands and all', async () => {
		const c = await SignalingProcess.start(env, logDir);
		const doomed = await member(c, 'audience', 'Doomed Dana');
		const listed = async () => {
			const reply = await request(teacher.socket, 'presence:list', { search: 'doomed' });

			return reply.ok ? (reply.data as { members: { userId: string }[] }).members : [];
		};

		expect(await listed()).toEqual([expect.objectContaining({ userId: doomed.claims.userId })]);

		const hasDoomed = ({ queue }: { queue: { userId: string }[] }) =>
			queue.some((raised) => raised.userId === doomed.claims.userId);
		const raised = next(teacher.socket, 'hand:queue', hasDoomed);

		await request(doomed.socket, 'hand:raise', {});
		await raised;

		const handGone = next(teacher.socket, 'hand:queue', (event) => !hasDoomed(event));

		await c.kill();

		const killedAt = Date.now();

		while ((await listed()).length > 0) {
			expect(Date.now() - killedAt).toBeLessThan(PRESENCE_TTL_SECONDS * 1000 * 2 + 1000);
			await sleep(200);
		}

		// The sweep that dropped the member also took their hand out of the queue.
		await handGone;
	});

	it('welcomes a member mid-question with the open question; a second tab also with their answer, hand and invitation', async () => {
		const returning = memberClaims(classId, 'audience', 'Tabbed Tess');
		const first = await joinClass(a.url, returning);

		members.push(first);

		const asked = next(first.socket, 'quiz:question');

		await request(teacher.socket, 'quiz:ask', {
			question: 'Capital of France?',
			options: ['Lyon', 'Paris'],
			correct: 1,
			seconds: 60,
		});

		const { questionId } = await asked;
		const late = await member(b, 'audience', 'Late Lou');

		expect(late.welcome).toMatchObject({
			openQuestions: [{ questionId, question: 'Capital of France?', options: ['Lyon', 'Paris'] }],
			answered: [],
			handRaised: false,
			invited: false,
		});
		expect(late.welcome.openQuestions[0]).not.toHaveProperty('correct');

		expect(await request(first.socket, 'quiz:answer', { questionId, choice: 1 })).toMatchObject({
			ok: true,
		});
		expect(await request(first.socket, 'hand:raise', {})).toMatchObject({ ok: true });
		expect(
			await request(teacher.socket, 'stage:invite', { userId: returning.userId }),
		).toMatchObject({ ok: true });

		const second = await joinClass(b.url, returning);

		members.push(second);
		expect(second.welcome).toMatchObject({
			answered: [questionId],
			handRaised: true,
			invited: true,
		});

		const declined = next(teacher.socket, 'stage:declined');

		await request(second.socket, 'stage:decline', {});
		expect(await declined).toEqual({ userId: returning.userId });
		await request(second.socket, 'hand:lower', {});
		await request(teacher.socket, 'quiz:close', { questionId });
		expect((await member(a, 'audience', 'Later Liv')).welcome.openQuestions).toEqual([]);
	});

	it('names the stage for the teacher, also once a member has gone, and marks muted members', async () => {
		const star = await member(b, 'student', 'Star Stu');
		const { userId } = star.claims;

		await request(teacher.socket, 'stage:invite', { userId });
		expect(await request(star.socket, 'stage:accept', {})).toMatchObject({ ok: true });
		expect(await request(teacher.socket, 'stage:list', {})).toEqual({
			ok: true,
			data: { members: [{ userId, displayName: 'Star Stu' }] },
		});
		expect(await request(star.socket, 'stage:list', {})).toMatchObject({
			ok: false,
			error: { code: 'forbidden' },
		});

		await request(teacher.socket, 'moderation:mute', { userId, muted: true });
		expect(await request(teacher.socket, 'presence:list', { search: 'star' })).toMatchObject({
			ok: true,
			data: { members: [{ userId, muted: true }] },
		});
		expect(await request(teacher.socket, 'presence:list', { search: 'student' })).toMatchObject({
			ok: true,
			data: { members: [{ userId: student.claims.userId, muted: false }] },
		});

		star.socket.close();
		await expect
			.poll(async () => request(teacher.socket, 'stage:list', {}), { timeout: 5000 })
			.toEqual({ ok: true, data: { members: [{ userId, displayName: null }] } });
		await request(teacher.socket, 'stage:remove', { userId });
	});
});
