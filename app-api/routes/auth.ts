// Sign-up (students), login and logout, and who the caller is.

import { z } from 'zod';

import { ApiError } from '../ApiError.ts';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import type { RouteContext } from '../createApp.ts';
import { Email, ErrorResponses, Password, text, UserView } from '../schemas.ts';
import { createUser } from '../users/createUser.ts';
import { userView } from '../views.ts';

const SessionView = z.strictObject({
	user: UserView,
	token: z.string(),
	expiresAt: z.iso.datetime(),
});

// Compared against when the email is unknown, so both failures take as long.
const decoyHash = hashPassword('decoy password, never matches');

export function registerAuthRoutes({ app, db, sessions }: RouteContext): void {
	app.post(
		'/auth/signup',
		{
			schema: {
				summary: 'Create a student account and log it in',
				security: [],
				body: z.strictObject({ email: Email, password: Password, displayName: text(80) }),
				response: { 201: SessionView, ...ErrorResponses },
			},
		},
		async (request, reply) => {
			const user = await createUser(db, { ...request.body, role: 'student' });
			const session = await sessions.create(user.id);

			return reply.status(201).send({
				user: userView(user),
				token: session.token,
				expiresAt: session.expiresAt.toISOString(),
			});
		},
	);

	app.post(
		'/auth/login',
		{
			schema: {
				summary: 'Exchange email and password for a bearer session token',
				security: [],
				body: z.strictObject({ email: Email, password: z.string().min(1).max(256) }),
				response: { 200: SessionView, ...ErrorResponses },
			},
		},
		async (request) => {
			const user = await db
				.selectFrom('users')
				.selectAll()
				.where('email', '=', request.body.email)
				.executeTakeFirst();
			const matches = await verifyPassword(
				request.body.password,
				user?.password_hash ?? (await decoyHash),
			);

			if (user === undefined || user.password_hash === null || !matches) {
				throw new ApiError('unauthorized', 'wrong email or password');
			}

			const session = await sessions.create(user.id);

			return {
				user: userView(user),
				token: session.token,
				expiresAt: session.expiresAt.toISOString(),
			};
		},
	);

	app.post(
		'/auth/logout',
		{
			schema: {
				summary: 'End the session of the bearer token',
				response: { 204: z.null(), ...ErrorResponses },
			},
		},
		async (request, reply) => {
			await sessions.authenticate(request.headers.authorization);
			await sessions.revoke(request.headers.authorization);

			return reply.status(204).send(null);
		},
	);

	app.get(
		'/auth/me',
		{ schema: { summary: 'The caller', response: { 200: UserView, ...ErrorResponses } } },
		async (request) => {
			const user = await sessions.authenticate(request.headers.authorization);

			return {
				id: user.id,
				email: user.email,
				displayName: user.displayName,
				role: user.role,
			};
		},
	);
}
