// Classes: create, reschedule, list, read, and the state changes
// scheduled -> live -> ended, or scheduled -> cancelled.

import { z } from 'zod';

import { ApiError } from '../ApiError.ts';
import { ClassLifecyclePublisher } from '../classes/ClassLifecyclePublisher.ts';
import { decodeClassCursor, encodeClassCursor } from '../classes/ClassCursor.ts';
import { loadClass, loadOwnClass } from '../classes/loadClass.ts';
import type { RouteContext } from '../createApp.ts';
import type { ClassState } from '../db/Database.ts';
import { ErrorResponses, IdParams, text, Timestamp } from '../schemas.ts';
import { classView } from '../views.ts';

const State = z.enum(['scheduled', 'live', 'ended', 'cancelled']);

export const ClassView = z.strictObject({
	id: z.uuid(),
	teacherId: z.uuid(),
	title: z.string(),
	startsAt: z.iso.datetime(),
	durationMinutes: z.number().int(),
	state: State,
	startedAt: z.iso.datetime().nullable(),
	endedAt: z.iso.datetime().nullable(),
});

const DurationMinutes = z
	.number()
	.int()
	.min(1)
	.max(24 * 60);

interface Transition {
	path: 'start' | 'end' | 'cancel';
	from: ClassState;
	to: ClassState;
	event: 'class.started' | 'class.ended' | 'class.cancelled';
	summary: string;
}

const TRANSITIONS: Transition[] = [
	{
		path: 'start',
		from: 'scheduled',
		to: 'live',
		event: 'class.started',
		summary: 'Go live: signaling, the HLS bridge and the recorder are told',
	},
	{
		path: 'end',
		from: 'live',
		to: 'ended',
		event: 'class.ended',
		summary: 'End a live class',
	},
	{
		path: 'cancel',
		from: 'scheduled',
		to: 'cancelled',
		event: 'class.cancelled',
		summary: 'Cancel a class that has not started',
	},
];

export function registerClassRoutes({ app, db, sessions, redis, logger }: RouteContext): void {
	const lifecycle = new ClassLifecyclePublisher(redis, logger);

	app.post(
		'/classes',
		{
			schema: {
				summary: 'Schedule a class (its teacher, or an admin naming the teacher)',
				body: z.strictObject({
					title: text(200),
					startsAt: Timestamp,
					durationMinutes: DurationMinutes,
					teacherId: z.uuid().optional(),
				}),
				response: { 201: ClassView, ...ErrorResponses },
			},
		},
		async (request, reply) => {
			const user = await sessions.authenticate(request.headers.authorization, ['teacher', 'admin']);
			const teacherId = request.body.teacherId ?? user.id;

			if (user.role === 'teacher' && teacherId !== user.id) {
				throw new ApiError('forbidden', 'a teacher schedules classes only for themselves');
			}

			const teacher = await db
				.selectFrom('users')
				.select('id')
				.where('id', '=', teacherId)
				.where('role', '=', 'teacher')
				.executeTakeFirst();

			if (teacher === undefined) {
				throw new ApiError('not_found', 'teacherId names no teacher account');
			}

			const row = await db
				.insertInto('classes')
				.values({
					teacher_id: teacher.id,
					title: request.body.title,
					starts_at: new Date(request.body.startsAt),
					duration_minutes: request.body.durationMinutes,
				})
				.returningAll()
				.executeTakeFirstOrThrow();

			return reply.status(201).send(classView(row));
		},
	);

	app.get(
		'/classes',
		{
			schema: {
				summary: 'List classes by start time, filtered and paged by cursor',
				querystring: z.strictObject({
					teacherId: z.uuid().optional(),
					state: State.optional(),
					from: Timestamp.optional(),
					to: Timestamp.optional(),
					limit: z.coerce.number().int().min(1).max(100).default(20),
					cursor: z.string().max(200).optional(),
				}),
				response: {
					200: z.strictObject({ classes: z.array(ClassView), nextCursor: z.string().nullable() }),
					...ErrorResponses,
				},
			},
		},
		async (request) => {
			await sessions.authenticate(request.headers.authorization);

			const { teacherId, state, from, to, limit, cursor } = request.query;
			const after = cursor === undefined ? undefined : decodeClassCursor(cursor);
			let query = db.selectFrom('classes').selectAll();

			if (teacherId !== undefined) {
				query = query.where('teacher_id', '=', teacherId);
			}

			if (state !== undefined) {
				query = query.where('state', '=', state);
			}

			if (from !== undefined) {
				query = query.where('starts_at', '>=', new Date(from));
			}

			if (to !== undefined) {
				query = query.where('starts_at', '<', new Date(to));
			}

			if (after !== undefined) {
				query = query.where((eb) =>
					eb(eb.refTuple('starts_at', 'id'), '>', eb.tuple(after.startsAt, after.id)),
				);
			}

			// One row more than asked tells whether another page exists.
			const rows = await query
				.orderBy('starts_at')
				.orderBy('id')
				.limit(limit + 1)
				.execute();
			const page = rows.slice(0, limit);
			const last = page.at(-1);

			return {
				classes: page.map(classView),
				nextCursor:
					rows.length > limit && last !== undefined
						? encodeClassCursor({ startsAt: last.starts_at, id: last.id })
						: null,
			};
		},
	);

	app.get(
		'/classes/:id',
		{
			schema: {
				summary: 'One class',
				params: IdParams,
				response: { 200: ClassView, ...ErrorResponses },
			},
		},
		async (request) => {
			await sessions.authenticate(request.headers.authorization);

			return classView(await loadClass(db, request.params.id));
		},
	);

	app.patch(
		'/classes/:id',
		{
			schema: {
				summary: 'Reschedule or rename a class that has not started',
				params: IdParams,
				body: z
					.strictObject({
						title: text(200).optional(),
						startsAt: Timestamp.optional(),
						durationMinutes: DurationMinutes.optional(),
					})
					.refine((body) => Object.keys(body).length > 0, 'name at least one field to change'),
				response: { 200: ClassView, ...ErrorResponses },
			},
		},
		async (request) => {
			const user = await sessions.authenticate(request.headers.authorization);

			await loadOwnClass(db, request.params.id, user);

			const { title, startsAt, durationMinutes } = request.body;
			const row = await db
				.updateTable('classes')
				.set({
					...(title === undefined ? {} : { title }),
					...(startsAt === undefined ? {} : { starts_at: new Date(startsAt) }),
					...(durationMinutes === undefined ? {} : { duration_minutes: durationMinutes }),
				})
				.where('id', '=', request.params.id)
				.where('state', '=', 'scheduled')
				.returningAll()
				.executeTakeFirst();

			if (row === undefined) {
				throw new ApiError('invalid_state', 'only a scheduled class can be changed');
			}

			return classView(row);
		},
	);

	for (const transition of TRANSITIONS) {
		app.post(
			`/classes/:id/${transition.path}`,
			{
				schema: {
					summary: transition.summary,
					params: IdParams,
					response: { 200: ClassView, ...ErrorResponses },
				},
			},
			async (request) => {
				const user = await sessions.authenticate(request.headers.authorization);
				const current = await loadOwnClass(db, request.params.id, user);
				const at = new Date();

				// The state in the WHERE makes the change atomic: of two concurrent
				// requests, one wins and the other sees invalid_state.
				const row = await db
					.updateTable('classes')
					.set({
						state: transition.to,
						...(transition.to === 'live' ? { started_at: at } : {}),
						...(transition.to === 'ended' ? { ended_at: at } : {}),
					})
					.where('id', '=', current.id)
					.where('state', '=', transition.from)
					.returningAll()
					.executeTakeFirst();

				if (row === undefined) {
					throw new ApiError(
						'invalid_state',
						`cannot ${transition.path} a class that is ${current.state}; it must be ${transition.from}`,
					);
				}

				await lifecycle.publish(transition.event, row.id, at);

				return classView(row);
			},
		);
	}
}
