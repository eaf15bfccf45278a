// Join tokens: what a client shows signaling to enter a class. The class's
// teacher joins as `teacher` with every grant; an enrolled student as
// `audience` with none (signaling grants stage publishing at run time);
// anyone else is refused.

import { sql } from 'kysely';
import { z } from 'zod';

import { signJoinToken, type JoinClaims } from '../../common/auth/JoinToken.ts';
import { prepareQuery } from '../../common/clients/preparedQuery.ts';
import { required } from '../../common/config.ts';
import { ApiError } from '../ApiError.ts';
import { bearerTokenHash } from '../auth/Sessions.ts';
import type { RouteContext } from '../createApp.ts';
import { ErrorResponses, IdParams } from '../schemas.ts';

const JoinTokenView = z.strictObject({
	token: z.string(),
	expiresAt: z.iso.datetime(),
	role: z.enum(['teacher', 'student', 'audience']),
	grants: z.strictObject({ publish: z.boolean(), moderate: z.boolean() }),
});

export function registerJoinTokenRoutes({ app, db, config }: RouteContext): void {
	const keys = required(config.joinTokens.keys, 'JOIN_TOKEN_KEYS');
	const signingKey = required(keys[0], 'JOIN_TOKEN_KEYS');
	const ttlSeconds = config.joinTokens.ttlSeconds;
	// NOTE: the hottest route of a class start (every member asks at once), so
	// the session, the caller, the class and the enrollment come in one round
	// trip of a prepared statement rather than through sessions.authenticate()
	// and two more queries.
	const joinAccess = prepareQuery(db, (classId: string, tokenHash: string) =>
		db
			.selectFrom('sessions')
			.innerJoin('users', 'users.id', 'sessions.user_id')
			.leftJoin('classes', (join) => join.on('classes.id', '=', classId))
			.select((eb) => [
				'users.id as userId',
				'users.role',
				'users.display_name',
				'classes.state',
				'classes.teacher_id',
				eb
					.exists(
						eb
							.selectFrom('enrollments')
							.select(sql.lit(1).as('one'))
							.whereRef('enrollments.class_id', '=', 'classes.id')
							.whereRef('enrollments.user_id', '=', 'users.id'),
					)
					.as('enrolled'),
			])
			.where('sessions.token_hash', '=', tokenHash)
			.where('sessions.expires_at', '>', sql<Date>`now()`),
	);

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
			const tokenHash = bearerTokenHash(request.headers.authorization);

			const row = (await joinAccess(request.params.id, tokenHash)).rows[0];

			if (row === undefined) {
				throw new ApiError('unauthorized', 'the session is unknown or has expired; log in again');
			}

			if (row.state === null || row.teacher_id === null) {
				throw new ApiError('not_found', 'no such class');
			}

			const user = { id: row.userId, role: row.role, displayName: row.display_name };
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
			const token = signJoinToken(
				signingKey,
				{ classId: request.params.id, userId: user.id, displayName: user.displayName, ...access },
				ttlSeconds,
			);

			return { token, expiresAt: expiresAt.toISOString(), ...access };
		},
	);
}
