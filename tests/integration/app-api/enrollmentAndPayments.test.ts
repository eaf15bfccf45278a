import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AppHarness, type Account } from './AppHarness.ts';

interface PaymentBody {
	id: string;
	replayed: boolean;
	classId: string;
}

describe('app API: enrollment and payments', () => {
	let harness: AppHarness;
	let teacher: Account;
	let otherTeacher: Account;
	let admin: Account;

	beforeAll(async () => {
		harness = await AppHarness.start();
		[teacher, otherTeacher, admin] = await Promise.all([
			harness.account('teacher'),
			harness.account('teacher'),
			harness.account('admin'),
		]);
	});

	afterAll(async () => {
		await harness.close();
	});

	async function enrollmentCount(classId: string, userId: string): Promise<number> {
		const rows = await harness.db
			.selectFrom('enrollments')
			.select('payment_id')
			.where('class_id', '=', classId)
			.where('user_id', '=', userId)
			.execute();

		return rows.length;
	}

	it('the class teacher enrolls a student once, however often asked', async () => {
		const student = await harness.account('student');
		const course = await harness.scheduleClass(teacher);

		for (let i = 0; i < 2; i++) {
			const reply = await harness.call('POST', `/classes/${course.id}/enrollments`, {
				token: teacher.token,
				body: { userId: student.id },
			});

			expect(reply.status).toBe(200);
			expect(reply.body).toMatchObject({ classId: course.id, user: { id: student.id } });
		}

		expect(await enrollmentCount(course.id, student.id)).toBe(1);

		const listed = await harness.call<{ enrollments: { user: { id: string } }[] }>(
			'GET',
			`/classes/${course.id}/enrollments`,
			{ token: admin.token },
		);

		expect(listed.body.enrollments.map((item) => item.user.id)).toEqual([student.id]);
	});

	it('another teacher may neither enroll into nor list a class', async () => {
		const student = await harness.account('student');
		const course = await harness.scheduleClass(teacher);
		const enroll = await harness.call('POST', `/classes/${course.id}/enrollments`, {
			token: otherTeacher.token,
			body: { userId: student.id },
		});
		const list = await harness.call('GET', `/classes/${course.id}/enrollments`, {
			token: otherTeacher.token,
		});

		expect([enroll.status, list.status]).toEqual([403, 403]);
		expect(await enrollmentCount(course.id, student.id)).toBe(0);
	});

	it('enrolling a teacher account is refused with not_found', async () => {
		const course = await harness.scheduleClass(teacher);
		const reply = await harness.call('POST', `/classes/${course.id}/enrollments`, {
			token: admin.token,
			body: { userId: otherTeacher.id },
		});

		expect(reply.status).toBe(404);
	});

	it('DELETE /classes/:id/enrollments/:userId removes the student', async () => {
		const student = await harness.account('student');
		const course = await harness.scheduleClass(teacher);

		await harness.call('POST', `/classes/${course.id}/enrollments`, {
			token: teacher.token,
			body: { userId: student.id },
		});

		const removed = await harness.call(
			'DELETE',
			`/classes/${course.id}/enrollments/${student.id}`,
			{ token: teacher.token },
		);

		expect(removed.status).toBe(204);
		expect(await enrollmentCount(course.id, student.id)).toBe(0);

		const again = await harness.call('DELETE', `/classes/${course.id}/enrollments/${student.id}`, {
			token: teacher.token,
		});

		expect(again.status).toBe(404);
	});

	it('a payment enrolls the student, and a repeat with the same key enrolls once', async () => {
		const student = await harness.account('student');
		const course = await harness.scheduleClass(teacher);
		const body = {
			classId: course.id,
			idempotencyKey: 'checkout-7f3a9c21',
			amountCents: 1999,
			currency: 'EUR',
		};
		const first = await harness.call<PaymentBody>('POST', '/payments', {
			token: student.token,
			body,
		});
		const second = await harness.call<PaymentBody>('POST', '/payments', {
			token: student.token,
			body,
		});

		expect(first.status).toBe(201);
		expect(first.body.replayed).toBe(false);
		expect(second.status).toBe(200);
		expect(second.body).toMatchObject({ id: first.body.id, replayed: true });
		expect(await enrollmentCount(course.id, student.id)).toBe(1);

		const payments = await harness.call<{ payments: { id: string }[] }>('GET', '/payments', {
			token: student.token,
		});

		expect(payments.body.payments.map((payment) => payment.id)).toEqual([first.body.id]);
	});

	it('concurrent payments with one key store one payment and one enrollment', async () => {
		const student = await harness.account('student');
		const course = await harness.scheduleClass(teacher);
		const body = {
			classId: course.id,
			idempotencyKey: 'checkout-concurrent-1',
			amountCents: 500,
			currency: 'USD',
		};
		const replies = await Promise.all(
			Array.from({ length: 8 }, () =>
				harness.call<PaymentBody>('POST', '/payments', { token: student.token, body }),
			),
		);

		expect(replies.filter((reply) => reply.status === 201)).toHaveLength(1);
		expect(replies.filter((reply) => reply.status === 200)).toHaveLength(7);
		expect(new Set(replies.map((reply) => reply.body.id)).size).toBe(1);

		const stored = await harness.db
			.selectFrom('payments')
			.select('id')
			.where('user_id', '=', student.id)
			.execute();

		expect(stored).toHaveLength(1);
		expect(await enrollmentCount(course.id, student.id)).toBe(1);
	});

	it('the same key for a different payment is a conflict and changes nothing', async () => {
		const student = await harness.account('student');
		const course = await harness.scheduleClass(teacher);
		const other = await harness.scheduleClass(teacher);
		const body = {
			classId: course.id,
			idempotencyKey: 'checkout-reused-key',
			amountCents: 900,
			currency: 'EUR',
		};

		await harness.call('POST', '/payments', { token: student.token, body });

		const reused = await harness.call('POST', '/payments', {
			token: student.token,
			body: { ...body, classId: other.id },
		});

		expect(reused.status).toBe(409);
		expect(reused.body).toMatchObject({ error: { code: 'conflict' } });
		expect(await enrollmentCount(other.id, student.id)).toBe(0);
	});

	it('two students may use the same key independently', async () => {
		const course = await harness.scheduleClass(teacher);
		const [a, b] = await Promise.all([harness.account('student'), harness.account('student')]);
		const body = {
			classId: course.id,
			idempotencyKey: 'checkout-shared',
			amountCents: 100,
			currency: 'GBP',
		};

		for (const student of [a, b]) {
			const reply = await harness.call('POST', '/payments', { token: student.token, body });

			expect(reply.status).toBe(201);
			expect(await enrollmentCount(course.id, student.id)).toBe(1);
		}
	});

	it('refuses paying for an ended class or by a teacher', async () => {
		const student = await harness.account('student');
		const course = await harness.scheduleClass(teacher);

		await harness.call('POST', `/classes/${course.id}/cancel`, { token: teacher.token });

		const body = {
			classId: course.id,
			idempotencyKey: 'checkout-cancelled',
			amountCents: 100,
			currency: 'EUR',
		};
		const cancelled = await harness.call('POST', '/payments', { token: student.token, body });
		const byTeacher = await harness.call('POST', '/payments', { token: teacher.token, body });

		expect(cancelled.body).toMatchObject({ error: { code: 'invalid_state' } });
		expect(byTeacher.body).toMatchObject({ error: { code: 'forbidden' } });

		const stored = await harness.db
			.selectFrom('payments')
			.select('id')
			.where('class_id', '=', course.id)
			.execute();

		expect(stored).toEqual([]);
	});
});
