import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
	ANALYTICS_EVENTS_COLLECTION,
	AnalyticsEvent,
} from '../../../common/events/AnalyticsEvent.ts';
import { AppHarness, type Account } from './AppHarness.ts';

const minute = (n: number): Date => new Date(Date.UTC(2030, 0, 1, 10, n));

describe('app API: class analytics from FerretDB', () => {
	let harness: AppHarness;
	let teacher: Account;
	let course: { id: string };

	beforeAll(async () => {
		harness = await AppHarness.start();
		teacher = await harness.account('teacher');
		course = await harness.scheduleClass(teacher);
		await harness.call('POST', `/classes/${course.id}/start`, { token: teacher.token });
		await harness.call('POST', `/classes/${course.id}/end`, { token: teacher.token });
		// The class ran 10:00 to 10:60 on the events' clock.
		await harness.db
			.updateTable('classes')
			.set({ started_at: minute(0), ended_at: minute(60) })
			.where('id', '=', course.id)
			.execute();

		const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
		const noise = randomUUID();
		const events: AnalyticsEvent[] = [
			// a: 10:00-10:30 and, in two tabs, 10:40-10:50 -> 40 min
			{ classId: course.id, userId: a, type: 'join', at: minute(0) },
			{ classId: course.id, userId: a, type: 'leave', at: minute(30) },
			{ classId: course.id, userId: a, type: 'join', at: minute(40) },
			{ classId: course.id, userId: a, type: 'join', at: minute(41) },
			{ classId: course.id, userId: a, type: 'leave', at: minute(45) },
			{ classId: course.id, userId: a, type: 'leave', at: minute(50) },
			// b: 10:10 until the end (no leave) -> 50 min
			{ classId: course.id, userId: b, type: 'join', at: minute(10) },
			// c: 10:20-10:50 -> 30 min; a, b and c overlap from 10:20 to 10:30
			{ classId: course.id, userId: c, type: 'join', at: minute(20) },
			{ classId: course.id, userId: c, type: 'leave', at: minute(50) },
			{ classId: course.id, userId: a, type: 'chat', at: minute(1) },
			{ classId: course.id, userId: b, type: 'chat', at: minute(11) },
			{ classId: course.id, userId: b, type: 'chat', at: minute(12) },
			{ classId: course.id, userId: c, type: 'hand_raise', at: minute(21) },
			{ classId: course.id, userId: a, type: 'answer', at: minute(5), pollId: 'poll-1' },
			{ classId: course.id, userId: b, type: 'answer', at: minute(15), pollId: 'poll-1' },
			{
				classId: course.id,
				userId: b,
				type: 'answer',
				at: minute(16),
				pollId: 'quiz-1',
				questionId: 'q1',
			},
			{
				classId: course.id,
				userId: b,
				type: 'answer',
				at: minute(17),
				pollId: 'quiz-1',
				questionId: 'q2',
			},
			// Another class's events must not count.
			{ classId: randomUUID(), userId: noise, type: 'join', at: minute(0) },
			{ classId: randomUUID(), userId: noise, type: 'chat', at: minute(0) },
		];

		await harness.mongo
			.collection(ANALYTICS_EVENTS_COLLECTION)
			.insertMany(events.map((event) => AnalyticsEvent.parse(event)));
	});

	afterAll(async () => {
		await harness.close();
	});

	it('GET /classes/:id/analytics aggregates attendance, chat, hands and polls', async () => {
		const reply = await harness.call('GET', `/classes/${course.id}/analytics`, {
			token: teacher.token,
		});

		expect(reply.status).toBe(200);
		expect(reply.body).toEqual({
			classId: course.id,
			state: 'ended',
			attendance: {
				uniqueAttendees: 3,
				peakConcurrent: 3,
				averageWatchSeconds: 40 * 60,
			},
			chatMessages: 3,
			handRaises: 1,
			polls: [
				{ pollId: 'poll-1', participants: 2, answers: 2 },
				{ pollId: 'quiz-1', participants: 1, answers: 2 },
			],
		});
	});

	it('is for the class teacher and admins only', async () => {
		const other = await harness.account('teacher');
		const admin = await harness.account('admin');
		const refused = await harness.call('GET', `/classes/${course.id}/analytics`, {
			token: other.token,
		});
		const allowed = await harness.call('GET', `/classes/${course.id}/analytics`, {
			token: admin.token,
		});

		expect(refused.body).toMatchObject({ error: { code: 'forbidden' } });
		expect(allowed.status).toBe(200);
	});

	it('refuses a class that has not started with invalid_state', async () => {
		const later = await harness.scheduleClass(teacher);
		const reply = await harness.call('GET', `/classes/${later.id}/analytics`, {
			token: teacher.token,
		});

		expect(reply.status).toBe(409);
		expect(reply.body).toMatchObject({ error: { code: 'invalid_state' } });
	});
});
