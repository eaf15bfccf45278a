import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createRedis } from '../../../common/clients/redis.ts';
import {
	CLASS_LIFECYCLE_CHANNEL,
	parseClassLifecycleEvent,
	type ClassLifecycleEvent,
} from '../../../common/events/ClassLifecycle.ts';
import { AppHarness, type Account } from './AppHarness.ts';

interface ClassBody {
	id: string;
	teacherId: string;
	title: string;
	startsAt: string;
	state: string;
	startedAt: string | null;
	endedAt: string | null;
}

describe('app API: classes', () => {
	let harness: AppHarness;
	let subscriber: Redis;
	let teacher: Account;
	let otherTeacher: Account;
	let admin: Account;
	let student: Account;
	const received: ClassLifecycleEvent[] = [];

	beforeAll(async () => {
		harness = await AppHarness.start();
		subscriber = createRedis(harness.resources.redisUrl);
		await subscriber.subscribe(CLASS_LIFECYCLE_CHANNEL);
		subscriber.on('message', (_channel: string, message: string) => {
			received.push(parseClassLifecycleEvent(message));
		});
		[teacher, otherTeacher, admin, student] = await Promise.all([
			harness.account('teacher', 'Asha'),
			harness.account('teacher', 'Bilal'),
			harness.account('admin'),
			harness.account('student'),
		]);
	});

	afterAll(async () => {
		subscriber.disconnect();
		await harness.close();
	});

	async function waitForEvent(classId: string, type: string): Promise<ClassLifecycleEvent> {
		for (let attempt = 0; attempt < 100; attempt++) {
			const event = received.find((item) => item.classId === classId && item.type === type);

			if (event !== undefined) {
				return event;
			}

			await new Promise((resolve) => setTimeout(resolve, 20));
		}

		throw new Error(`no ${type} for ${classId}`);
	}

	it('POST /classes schedules a class for the calling teacher', async () => {
		const reply = await harness.call<ClassBody>('POST', '/classes', {
			token: teacher.token,
			body: { title: 'Geometry', startsAt: '2030-01-01T10:00:00+01:00', durationMinutes: 45 },
		});

		expect(reply.status).toBe(201);
		expect(reply.body).toMatchObject({
			teacherId: teacher.id,
			title: 'Geometry',
			startsAt: '2030-01-01T09:00:00.000Z',
			state: 'scheduled',
			startedAt: null,
		});
	});

	it('POST /classes lets an admin name the teacher, and refuses a student', async () => {
		const byAdmin = await harness.call<ClassBody>('POST', '/classes', {
			token: admin.token,
			body: {
				title: 'Chemistry',
				startsAt: '2030-01-02T10:00:00Z',
				durationMinutes: 30,
				teacherId: otherTeacher.id,
			},
		});

		expect(byAdmin.status).toBe(201);
		expect(byAdmin.body.teacherId).toBe(otherTeacher.id);

		const byStudent = await harness.call('POST', '/classes', {
			token: student.token,
			body: { title: 'Nope', startsAt: '2030-01-02T10:00:00Z', durationMinutes: 30 },
		});

		expect(byStudent.status).toBe(403);
		expect(byStudent.body).toMatchObject({ error: { code: 'forbidden' } });
	});

	it('GET /classes pages by cursor and filters by teacher, state and time', async () => {
		const listTeacher = await harness.account('teacher');

		for (let day = 10; day < 15; day++) {
			await harness.call('POST', '/classes', {
				token: listTeacher.token,
				body: { title: `Day ${day}`, startsAt: `2031-03-${day}T08:00:00Z`, durationMinutes: 60 },
			});
		}

		const titles: string[] = [];
		let cursor: string | null = null;

		do {
			const query: string = `/classes?teacherId=${listTeacher.id}&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`;
			const page = await harness.call<{ classes: ClassBody[]; nextCursor: string | null }>(
				'GET',
				query,
				{ token: student.token },
			);

			expect(page.status).toBe(200);
			expect(page.body.classes.length).toBeLessThanOrEqual(2);
			titles.push(...page.body.classes.map((item) => item.title));
			cursor = page.body.nextCursor;
		} while (cursor !== null);

		expect(titles).toEqual(['Day 10', 'Day 11', 'Day 12', 'Day 13', 'Day 14']);

		const window = await harness.call<{ classes: ClassBody[] }>(
			'GET',
			`/classes?teacherId=${listTeacher.id}&from=2031-03-11T00:00:00Z&to=2031-03-13T00:00:00Z`,
			{ token: student.token },
		);

		expect(window.body.classes.map((item) => item.title)).toEqual(['Day 11', 'Day 12']);

		const live = await harness.call<{ classes: ClassBody[] }>(
			'GET',
			`/classes?teacherId=${listTeacher.id}&state=live`,
			{ token: student.token },
		);

		expect(live.body.classes).toEqual([]);
	});

	it('GET /classes refuses a forged cursor with validation_failed', async () => {
		const reply = await harness.call('GET', '/classes?cursor=bm90LWEtY3Vyc29y', {
			token: student.token,
		});

		expect(reply.status).toBe(400);
		expect(reply.body).toMatchObject({ error: { code: 'validation_failed' } });
	});

	it('PATCH /classes/:id reschedules a scheduled class', async () => {
		const created = await harness.scheduleClass(teacher);
		const reply = await harness.call<ClassBody>('PATCH', `/classes/${created.id}`, {
			token: teacher.token,
			body: { startsAt: '2032-05-05T05:05:00Z', title: 'Moved' },
		});

		expect(reply.status).toBe(200);
		expect(reply.body).toMatchObject({ title: 'Moved', startsAt: '2032-05-05T05:05:00.000Z' });
	});

	it('start and end move a class scheduled -> live -> ended and publish each change', async () => {
		const created = await harness.scheduleClass(teacher);
		const started = await harness.call<ClassBody>('POST', `/classes/${created.id}/start`, {
			token: teacher.token,
		});

		expect(started.status).toBe(200);
		expect(started.body.state).toBe('live');
		expect(started.body.startedAt).not.toBeNull();
		expect(await waitForEvent(created.id, 'class.started')).toEqual({
			type: 'class.started',
			classId: created.id,
			at: started.body.startedAt,
		});

		const ended = await harness.call<ClassBody>('POST', `/classes/${created.id}/end`, {
			token: teacher.token,
		});

		expect(ended.body.state).toBe('ended');
		expect((await waitForEvent(created.id, 'class.ended')).at).toBe(ended.body.endedAt);

		const fetched = await harness.call<ClassBody>('GET', `/classes/${created.id}`, {
			token: student.token,
		});

		expect(fetched.body.state).toBe('ended');
	});

	it('a teacher cannot start or end another teacher class', async () => {
		const created = await harness.scheduleClass(teacher);

		await harness.call('POST', `/classes/${created.id}/start`, { token: teacher.token });

		for (const action of ['end', 'cancel']) {
			const reply = await harness.call('POST', `/classes/${created.id}/${action}`, {
				token: otherTeacher.token,
			});

			expect(reply.status).toBe(403);
			expect(reply.body).toMatchObject({ error: { code: 'forbidden' } });
		}

		const fetched = await harness.call<ClassBody>('GET', `/classes/${created.id}`, {
			token: teacher.token,
		});

		expect(fetched.body.state).toBe('live');
	});

	it('an admin may end any class', async () => {
		const created = await harness.scheduleClass(teacher);

		await harness.call('POST', `/classes/${created.id}/start`, { token: teacher.token });

		const reply = await harness.call<ClassBody>('POST', `/classes/${created.id}/end`, {
			token: admin.token,
		});

		expect(reply.body.state).toBe('ended');
	});

	it('refuses transitions out of order with invalid_state', async () => {
		const created = await harness.scheduleClass(teacher);
		const early = await harness.call('POST', `/classes/${created.id}/end`, {
			token: teacher.token,
		});

		expect(early.status).toBe(409);
		expect(early.body).toMatchObject({ error: { code: 'invalid_state' } });

		const cancelled = await harness.call<ClassBody>('POST', `/classes/${created.id}/cancel`, {
			token: teacher.token,
		});

		expect(cancelled.body.state).toBe('cancelled');
		expect(await waitForEvent(created.id, 'class.cancelled')).toMatchObject({
			classId: created.id,
		});

		const restart = await harness.call('POST', `/classes/${created.id}/start`, {
			token: teacher.token,
		});

		expect(restart.body).toMatchObject({ error: { code: 'invalid_state' } });

		const rename = await harness.call('PATCH', `/classes/${created.id}`, {
			token: teacher.token,
			body: { title: 'Too late' },
		});

		expect(rename.body).toMatchObject({ error: { code: 'invalid_state' } });
	});

	it('of two concurrent starts exactly one succeeds', async () => {
		const created = await harness.scheduleClass(teacher);
		const replies = await Promise.all(
			[teacher, admin].map((caller) =>
				harness.call('POST', `/classes/${created.id}/start`, { token: caller.token }),
			),
		);

		expect(replies.map((reply) => reply.status).sort()).toEqual([200, 409]);
	});

	it('answers not_found for a class that does not exist', async () => {
		const reply = await harness.call(
			'POST',
			'/classes/00000000-0000-4000-8000-000000000000/start',
			{ token: teacher.token },
		);

		expect(reply.status).toBe(404);
		expect(reply.body).toMatchObject({ error: { code: 'not_found' } });
	});
});
