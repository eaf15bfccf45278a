// Accounts an operator manages: teachers and admins are created here, never
// through sign-up.

import { z } from 'zod';

import type { RouteContext } from '../createApp.ts';
import { Email, ErrorResponses, Password, text, UserView } from '../schemas.ts';
import { createUser } from '../users/createUser.ts';
import { userView } from '../views.ts';

export function registerUserRoutes({ app, db, sessions }: RouteContext): void {
	app.post(
		'/users',
		{
			schema: {
				summary: 'Create an account of any role (admin only)',
				body: z.strictObject({
					email: Email,
					password: Password,
					displayName: text(80),
					role: z.enum(['admin', 'teacher', 'student']),
				}),
				response: { 201: UserView, ...ErrorResponses },
			},
		},
		async (request, reply) => {
			await sessions.authenticate(request.headers.authorization, ['admin']);

			const user = await createUser(db, request.body);

			return reply.status(201).send(userView(user));
		},
	);

	app.get(
		'/users',
		{
			schema: {
				summary: 'List accounts, newest first (admin only)',
				querystring: z.strictObject({
					role: z.enum(['admin', 'teacher', 'student']).optional(),
					limit: z.coerce.number().int().min(1).max(100).default(50),
					offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
				}),
				response: { 200: z.strictObject({ users: z.array(UserView) }), ...ErrorResponses },
			},
		},
		async (request) => {
			await sessions.authenticate(request.headers.authorization, ['admin']);

			const { role, limit, offset } = request.query;
			let query = db.selectFrom('users').select(['id', 'email', 'display_name', 'role']);

			if (role !== undefined) {
				query = query.where('role', '=', role);
			}

			const rows = await query
				.orderBy('created_at', 'desc')
				.orderBy('id')
				.limit(limit)
				.offset(offset)
				.execute();

			return { users: rows.map(userView) };
		},
	);
}
