// Join tokens: what a client shows signaling to enter a class. The class's
// teacher joins as `teacher` with every grant; an enrolled student as
// `audience` with none (signaling grants stage publishing at run time);
// anyone else is refused.

import { sql } from 'kysely';
import { z } from 'zod';

import { signJoinToken, type JoinClaims } from '../../common/auth/JoinToken.ts';
import { required } from '../../common/config.ts';
import { ApiError } from '../ApiError.ts';
import type { RouteContext } from '../createApp.ts';
import { ErrorResponses, IdParams } from '../schemas.ts';

const JoinTokenView = z.strictObject({
	token: z.string(),
	expiresAt: z.iso.datetime(),
	role: z.enum(['teacher', 'student', 'audience']),
	grants: z.strictObject({ publish: z.boolean(), moderate: z.boolean() }),
});

export function registerJoinTokenRoutes({ app, db, sessions, config }: RouteContext): void {
	const keys = required(config.joinTokens.keys, 'JOIN_TOKEN_KEYS');
	const signingKey = required(keys[0], 'JOIN_TOKEN_KEYS');
	const ttlSeconds = config.joinTokens.ttlSeconds;

	app.post(
		'/classes/:id/join-token',
		{
			schema: {
				summary: 'A short-lived signed token to join a scheduled or live class',
				params: IdParams,
				response: { 200: JoinTokenView, ...ErrorResponses },
			},
		},
		async (request) => {
			const user = await sessions.authenticate(request.headers.authorization);

			// One round trip: the class and whether the caller is enrolled in it.
			const row = await db
				.selectFrom('classes')
				.select((eb) => [
					'classes.state',
					'classes.teacher_id',
					eb
						.exists(
							eb
								.selectFrom('enrollments')
								.select(sql.lit(1).as('one'))
								.whereRef('enrollments.class_id', '=', 'classes.id')
								.where('enrollments.user_id', '=', user.id),
						)
						.as('enrolled'),
				])
				.where('classes.id', '=', request.params.id)
				.executeTakeFirst();

			if (row === undefined) {
				throw new ApiError('not_found', 'no such class');
			}

			let access: Pick<JoinClaims, 'role' | 'grants'>;

			if (row.teacher_id === user.id) {
				access = { role: 'teacher', grants: { publish: true, moderate: true } };
			} else if (user.role === 'student' && row.enrolled) {
				access = { role: 'audience', grants: { publish: false, moderate: false } };
			} else if (user.role === 'student') {
				throw new ApiError('not_enrolled', 'enroll in the class (or buy it) before joining');
			} else {
				throw new ApiError('forbidden', 'only the class teacher and enrolled students join');
			}

			if (row.state !== 'scheduled' && row.state !== 'live') {
				throw new ApiError('invalid_state', `the class is ${row.state}; it cannot be joined`);
			}

			const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
			const token = await signJoinToken(
				signingKey,
				{ classId: request.params.id, userId: user.id, displayName: user.displayName, ...access },
				ttlSeconds,
			);

			return { token, expiresAt: expiresAt.toISOString(), ...access };
		},
	);
}
