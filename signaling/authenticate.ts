// Every socket proves who it is before it connects: a join token in the
// handshake (`auth: { token }`). A socket that passes carries its claims in
// `socket.data.claims` and sits in its class room and its own user room.

import type { Server, Socket } from 'socket.io';

import {
	JoinTokenError,
	verifyJoinToken,
	type JoinClaims,
	type SigningKey,
} from '../common/auth/JoinToken.ts';
import type { Logger } from '../common/logger.ts';
import { ProtocolError } from './protocol/errors.ts';

export interface SocketData {
	claims: JoinClaims;
}

/** The room of every member of a class, on every signaling process. */
export const classRoom = (classId: string): string => `class:${classId}`;

/** The room of one user's sockets (a user may have several tabs). */
export const userRoom = (classId: string, userId: string): string => `user:${classId}:${userId}`;

/**
 * Installs the handshake check. A refused socket gets a connect_error whose
 * `data` is the ErrorBody (`{ code, message }`).
 */
export function authenticate(io: Server, keys: readonly SigningKey[], logger: Logger): void {
	io.use((socket: Socket, next) => {
		const auth = socket.handshake.auth as Record<string, unknown>;
		const token =
			typeof auth.token === 'string' && auth.token.length <= 4096 ? auth.token : undefined;

		if (token === undefined) {
			next(
				refusal(
					new ProtocolError('token_invalid', 'connect with auth: { token } holding a join token'),
				),
			);

			return;
		}

		let claims: JoinClaims;

		try {
			claims = verifyJoinToken(keys, token);
		} catch (error) {
			const refused =
				error instanceof JoinTokenError
					? new ProtocolError(error.code, error.message)
					: new ProtocolError('internal');

			logger.debug({ code: refused.code }, 'handshake refused');
			next(refusal(refused));

			return;
		}

		(socket.data as SocketData).claims = claims;
		void socket.join([classRoom(claims.classId), userRoom(claims.classId, claims.userId)]);
		next();
	});
}

function refusal(error: ProtocolError): Error & { data: unknown } {
	return Object.assign(new Error(error.message), { data: error.toBody() });
}
