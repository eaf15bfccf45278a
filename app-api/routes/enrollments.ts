// Enrollment by an operator or the class's teacher; payments enroll too
// (routes/payments.ts).

import { z } from 'zod';

import { ApiError } from '../ApiError.ts';
import { loadOwnClass } from '../classes/loadClass.ts';
import type { RouteContext } from '../createApp.ts';
import { ErrorResponses, IdParams, UserView } from '../schemas.ts';
import { userView } from '../views.ts';

const EnrollmentView = z.strictObject({
	classId: z.uuid(),
	user: UserView,
	paymentId: z.uuid().nullable(),
	enrolledAt: z.iso.datetime(),
});

export function registerEnrollmentRoutes({ app, db, sessions }: RouteContext): void {
	app.post(
		'/classes/:id/enrollments',
		{
			schema: {
				summary: 'Enroll a student (the class teacher or an admin); repeating it is harmless',
				params: IdParams,
				body: z.strictObject({ userId: z.uuid() }),
				response: { 200: EnrollmentView, ...ErrorResponses },
			},
		},
		async (request) => {
			const caller = await sessions.authenticate(request.headers.authorization);
			const row = await loadOwnClass(db, request.params.id, caller);
			const student = await db
				.selectFrom('users')
				.select(['id', 'email', 'display_name', 'role'])
				.where('id', '=', request.body.userId)
				.where('role', '=', 'student')
				.executeTakeFirst();

			if (student === undefined) {
				throw new ApiError('not_found', 'userId names no student account');
			}

			await db
				.insertInto('enrollments')
				.values({ class_id: row.id, user_id: student.id, payment_id: null })
				.onConflict((oc) => oc.columns(['class_id', 'user_id']).doNothing())
				.execute();

			const enrollment = await db
				.selectFrom('enrollments')
				.select(['payment_id', 'created_at'])
				.where('class_id', '=', row.id)
				.where('user_id', '=', student.id)
				.executeTakeFirstOrThrow();

			return {
				classId: row.id,
				user: userView(student),
				paymentId: enrollment.payment_id,
				enrolledAt: enrollment.created_at.toISOString(),
			};
		},
	);

	app.get(
		'/classes/:id/enrollments',
		{
			schema: {
				summary: 'The students enrolled in a class (its teacher or an admin)',
				params: IdParams,
				response: {
					200: z.strictObject({ enrollments: z.array(EnrollmentView) }),
					...ErrorResponses,
				},
			},
		},
		async (request) => {
			const caller = await sessions.authenticate(request.headers.authorization);
			const row = await loadOwnClass(db, request.params.id, caller);
			const rows = await db
				.selectFrom('enrollments')
				.innerJoin('users', 'users.id', 'enrollments.user_id')
				.select([
					'users.id',
					'users.email',
					'users.display_name',
					'users.role',
					'enrollments.payment_id',
					'enrollments.created_at',
				])
				.where('enrollments.class_id', '=', row.id)
				.orderBy('enrollments.created_at')
				.execute();

			return {
				enrollments: rows.map((enrollment) => ({
					classId: row.id,
					user: userView(enrollment),
					paymentId: enrollment.payment_id,
					enrolledAt: enrollment.created_at.toISOString(),
				})),
			};
		},
	);

	app.delete(
		'/classes/:id/enrollments/:userId',
		{
			schema: {
				summary: 'Remove a student from a class (its teacher or an admin)',
				params: z.strictObject({ id: z.uuid(), userId: z.uuid() }),
				response: { 204: z.null(), ...ErrorResponses },
			},
		},
		async (request, reply) => {
			const caller = await sessions.authenticate(request.headers.authorization);
			const row = await loadOwnClass(db, request.params.id, caller);
			const removed = await db
				.deleteFrom('enrollments')
				.where('class_id', '=', row.id)
				.where('user_id', '=', request.params.userId)
				.executeTakeFirst();

			if (removed.numDeletedRows === 0n) {
				throw new ApiError('not_found', 'the student is not enrolled in this class');
			}

			return reply.status(204).send(null);
		},
	);
}
