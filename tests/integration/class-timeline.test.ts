// The class timeline as signaling writes it: a class runs on two real
// signaling processes (chat, a deleted message, a private message, a poll,
// a quiz question, the stage, a raised hand), then the timeline is read from
// MongoDB the way the recorder reads it at finalize.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';

import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { TimelineEntry } from '../../common/events/TimelineEvent.ts';
import { replayTimeline, Timeline, type TimelineEvent } from '../../recorder/Timeline.ts';
import type { PollView, QuizView } from '../../signaling/protocol/class.ts';
import type { Ack } from '../../signaling/protocol/errors.ts';
import { createTestResources, type TestResources } from '../support/resources.ts';
import {
	joinClass,
	memberClaims,
	next,
	request,
	SignalingProcess,
	type Member,
} from '../support/signalingProcess.ts';

/** An event the class should have left, and the window in which it happened. */
interface Expected {
	entry: TimelineEntry;
	/** Just before the request that caused it was sent (ms since epoch). */
	from: number;
	/** When its acknowledgement arrived. */
	to: number;
}

describe('class timeline: what signaling records for the replay', () => {
	let resources: TestResources;
	let logDir: string;
	let a: SignalingProcess;
	let b: SignalingProcess;
	let mongo: MongoClient;
	const members: Member[] = [];
	const classId = randomUUID();
	const expected: Expected[] = [];
	let events: TimelineEvent[] = [];
	/** The first message and the time its ack carried. */
	let welcome: { entry: TimelineEntry; at: number } | undefined;
	let deletedId = '';

	async function member(
		on: SignalingProcess,
		role: 'teacher' | 'student' | 'audience',
		name: string,
	): Promise<Member> {
		const joined = await joinClass(on.url, memberClaims(classId, role, name));

		members.push(joined);

		return joined;
	}

	/** Sends a request that must succeed; resolves with its data and when it ran. */
	async function perform(
		by: Member,
		event: string,
		payload: unknown,
	): Promise<{ data: unknown; from: number; to: number }> {
		const from = Date.now();
		const ack: Ack<unknown> = await request(by.socket, event, payload);
		const to = Date.now();

		if (!ack.ok) {
			throw new Error(`${event} was refused: ${ack.error.code} ${ack.error.message}`);
		}

		return { data: ack.data, from, to };
	}

	/** Runs a short class; every step that belongs in the timeline is added to `expected`. */
	async function runClass(teacher: Member, student: Member, audience: Member): Promise<void> {
		const first = await perform(teacher, 'chat:send', { text: 'welcome to the class' });
		const sent = first.data as { id: string; at: number };

		welcome = {
			entry: {
				type: 'chat',
				data: {
					id: sent.id,
					userId: teacher.claims.userId,
					displayName: 'Teacher Tara',
					text: 'welcome to the class',
				},
			},
			at: sent.at,
		};
		expected.push({ ...first, entry: welcome.entry });

		await perform(teacher, 'chat:private', {
			toUserId: student.claims.userId,
			text: 'see me after class',
		});

		const oops = await perform(student, 'chat:send', { text: 'oops, wrong class' });

		deletedId = (oops.data as { id: string }).id;
		expected.push({
			entry: {
				type: 'chat',
				data: {
					id: deletedId,
					userId: student.claims.userId,
					displayName: 'Student Sam',
					text: 'oops, wrong class',
				},
			},
			...oops,
		});
		expected.push({
			entry: { type: 'chat', data: { deleted: deletedId } },
			...(await perform(teacher, 'chat:delete', { messageId: deletedId })),
		});

		const opened = next(student.socket, 'poll:opened');
		const poll = await perform(teacher, 'poll:open', {
			question: 'Ready for the test?',
			options: ['yes', 'no', 'maybe'],
		});
		const { pollId } = poll.data as PollView;

		expected.push({
			entry: {
				type: 'poll',
				data: {
					phase: 'opened',
					pollId,
					question: 'Ready for the test?',
					options: ['yes', 'no', 'maybe'],
					multiple: false,
				},
			},
			...poll,
		});
		await opened;
		await perform(student, 'poll:answer', { pollId, choices: [0] });
		await perform(audience, 'poll:answer', { pollId, choices: [2] });

		const pollClosed = await perform(teacher, 'poll:close', { pollId });

		expected.push({
			entry: {
				type: 'poll',
				data: { phase: 'closed', pollId, tally: { counts: [1, 0, 1], voters: 2 } },
			},
			...pollClosed,
		});

		const asked = next(student.socket, 'quiz:question');
		const quiz = await perform(teacher, 'quiz:ask', {
			question: '2 + 2?',
			options: ['3', '4'],
			correct: 1,
			seconds: 30,
		});
		const { questionId, closesAt } = quiz.data as QuizView;

		expected.push({
			entry: {
				type: 'quiz',
				data: { phase: 'asked', questionId, question: '2 + 2?', options: ['3', '4'], closesAt },
			},
			...quiz,
		});
		await asked;
		await perform(student, 'quiz:answer', { questionId, choice: 1 });
		expected.push({
			entry: {
				type: 'quiz',
				data: { phase: 'closed', questionId, correct: 1, tally: { counts: [0, 1], voters: 1 } },
			},
			...(await perform(teacher, 'quiz:close', { questionId })),
		});

		const invited = next(student.socket, 'stage:invited');

		await perform(teacher, 'stage:invite', { userId: student.claims.userId });
		await invited;

		const sam = { userId: student.claims.userId, displayName: 'Student Sam' };

		expected.push({
			entry: { type: 'stage', data: { ...sam, onStage: true } },
			...(await perform(student, 'stage:accept', {})),
		});
		// Removed by the teacher, who does not name them: the name comes from presence.
		expected.push({
			entry: { type: 'stage', data: { ...sam, onStage: false } },
			...(await perform(teacher, 'stage:remove', { userId: student.claims.userId })),
		});

		expected.push({
			entry: {
				type: 'hand_raise',
				data: { userId: audience.claims.userId, displayName: 'Audience Ada' },
			},
			...(await perform(audience, 'hand:raise', {})),
		});
		// Raised again while up: the hand keeps its place and its one event.
		await perform(audience, 'hand:raise', {});

		// Flushes take the buffered events oldest first, so once this last
		// message is in MongoDB, everything buffered before it is too.
		const last = await perform(teacher, 'chat:send', { text: 'that is all' });

		expected.push({
			entry: {
				type: 'chat',
				data: {
					id: (last.data as { id: string }).id,
					userId: teacher.claims.userId,
					displayName: 'Teacher Tara',
					text: 'that is all',
				},
			},
			...last,
		});
	}

	beforeAll(async () => {
		resources = await createTestResources();
		logDir = mkdtempSync(join(tmpdir(), 'class-timeline-'));

		const env = {
			REDIS_URL: resources.redisUrl,
			MONGODB_URL: resources.mongoUrl,
			MONGODB_DATABASE: resources.mongoDatabase,
			SIGNALING_REDIS_PREFIX: resources.redisPrefix,
		};

		[a, b] = await SignalingProcess.startPair(env, logDir);
		mongo = new MongoClient(resources.mongoUrl);

		// The teacher on one process, the members on the other.
		const teacher = await member(a, 'teacher', 'Teacher Tara');
		const student = await member(b, 'student', 'Student Sam');
		const audience = await member(b, 'audience', 'Audience Ada');

		await runClass(teacher, student, audience);

		const timeline = new Timeline(mongo.db(resources.mongoDatabase));
		const last = expected.at(-1)?.entry;
		const deadline = Date.now() + 20_000;

		while (Date.now() < deadline) {
			events = await timeline.read(classId);
			if (last === undefined || find(events, last).length > 0) {
				break;
			}

			await sleep(200);
		}
	});

	afterAll(async () => {
		for (const joined of members) {
			joined.socket.close();
		}

		await Promise.all([a.stop(), b.stop()]);
		await mongo.close();
		await resources.release();
		rmSync(logDir, { recursive: true, force: true });
	});

	const found = (entry: TimelineEntry): TimelineEvent[] => find(events, entry);

	it('holds each class event once, with its data, and nothing else', () => {
		expect(events.map(({ type, data }) => ({ type, data }))).toEqual(
			expect.arrayContaining(expected.map(({ entry }) => entry)),
		);
		expect(events).toHaveLength(expected.length);
		for (const { entry } of expected) {
			expect(found(entry), JSON.stringify(entry)).toHaveLength(1);
		}
	});

	it('stamps each event within the request that caused it, so it reads in class order', () => {
		const times = events.map((event) => event.at.getTime());

		expect(times).toEqual([...times].sort((x, y) => x - y));
		for (const { entry, from, to } of expected) {
			const at = found(entry)[0]?.at.getTime() ?? Number.NaN;

			expect(at, JSON.stringify(entry)).toBeGreaterThanOrEqual(from);
			expect(at, JSON.stringify(entry)).toBeLessThanOrEqual(to);
		}

		// Ties aside (two events in one millisecond), the order is the class's.
		const order = events.map((event) =>
			expected.findIndex(({ entry }) => find([event], entry).length > 0),
		);

		for (let index = 1; index < order.length; index++) {
			const [earlier, later] = [events[index - 1], events[index]];

			if (earlier?.at.getTime() !== later?.at.getTime()) {
				expect(order[index]).toBeGreaterThan(order[index - 1] ?? Number.NaN);
			}
		}
	});

	it('stamps a chat message with the time its sender was told', () => {
		const stored = welcome && found(welcome.entry)[0];

		expect(stored?.at.getTime()).toBe(welcome?.at);
	});

	it('leaves private messages out', () => {
		expect(JSON.stringify(events)).not.toContain('see me after class');
	});

	it('records the deletion, and the replay built from it leaves the message out', () => {
		const replay = replayTimeline(classId, events, [
			{ uri: 'seg.ts', duration: 60, discontinuity: false, programDateTime: events[0]?.at },
		]);

		expect(found({ type: 'chat', data: { deleted: deletedId } })).toHaveLength(1);
		expect(replay?.events).toHaveLength(events.length - 2);
		expect(JSON.stringify(replay)).not.toContain('oops, wrong class');
		expect(JSON.stringify(replay)).not.toContain(deletedId);
	});
});

/** The events with this type and data. */
function find(events: readonly TimelineEvent[], entry: TimelineEntry): TimelineEvent[] {
	return events.filter(
		(event) => event.type === entry.type && isDeepStrictEqual(event.data, entry.data),
	);
}
