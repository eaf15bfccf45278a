import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseSigningKeys, signJoinToken, type JoinClaims } from '../../common/auth/JoinToken.ts';
import { createLogger } from '../../common/logger.ts';
import { randomJoinTokenKeys } from '../../infra/stack/localJoinTokenKeys.ts';
import { authenticate, type SocketData } from '../../signaling/authenticate.ts';

const [key] = parseSigningKeys(randomJoinTokenKeys('k1'));

if (key === undefined) {
	throw new Error('no key');
}

const claims: JoinClaims = {
	classId: randomUUID(),
	userId: randomUUID(),
	displayName: 'Meera',
	role: 'teacher',
	grants: { publish: true, moderate: true },
};

describe('signaling handshake', () => {
	let http: HttpServer;
	let io: Server;
	let url: string;
	const sockets: Socket[] = [];

	beforeAll(async () => {
		http = createServer();
		io = new Server(http);
		authenticate(io, [key], createLogger('test', 'silent'));
		io.on('connection', (socket) => {
			socket.on('whoami', (ack: (value: unknown) => void) => {
				ack({ claims: (socket.data as SocketData).claims, rooms: [...socket.rooms].sort() });
			});
		});
		await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
		url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
	});

	afterAll(async () => {
		for (const socket of sockets) {
			socket.close();
		}

		await io.close();
	});

	function open(auth: Record<string, unknown>): Socket {
		const socket = connect(url, { auth, transports: ['websocket'], reconnection: false });

		sockets.push(socket);

		return socket;
	}

	it('admits a valid join token into its class and user rooms', async () => {
		const socket = open({ token: signJoinToken(key, claims, 60) });
		const reply = (await socket.emitWithAck('whoami')) as { claims: JoinClaims; rooms: string[] };

		expect(reply.claims).toEqual(claims);
		expect(reply.rooms).toContain(`class:${claims.classId}`);
		expect(reply.rooms).toContain(`user:${claims.classId}:${claims.userId}`);
	});

	it.each([
		['no token', {}, 'token_invalid'],
		['a forged token', { token: 'eyJhbGciOiJIUzI1NiJ9.e30.x' }, 'token_invalid'],
	])('refuses %s with a stable code', async (_name, auth, code) => {
		const socket = open(auth);
		const error = await new Promise<Error & { data?: unknown }>((resolve) =>
			socket.once('connect_error', resolve),
		);

		expect(error.data).toMatchObject({ code });
	});

	it('refuses an expired token with token_expired', async () => {
		const socket = open({ token: signJoinToken(key, claims, -5) });
		const error = await new Promise<Error & { data?: unknown }>((resolve) =>
			socket.once('connect_error', resolve),
		);

		expect(error.data).toMatchObject({ code: 'token_expired' });
	});
});
