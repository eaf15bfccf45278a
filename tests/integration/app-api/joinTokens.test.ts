// Tokens from the join-token route, checked by the real signaling handshake
// (signaling/authenticate.ts on a socket.io server).

import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
	parseSigningKeys,
	verifyJoinToken,
	type JoinClaims,
	type SigningKey,
} from '../../../common/auth/JoinToken.ts';
import { createLogger } from '../../../common/logger.ts';
import { randomJoinTokenKeys } from '../../../infra/stack/localJoinTokenKeys.ts';
import { authenticate, type SocketData } from '../../../signaling/authenticate.ts';
import { AppHarness, type Account } from './AppHarness.ts';

interface TokenBody {
	token: string;
	expiresAt: string;
	role: string;
	grants: { publish: boolean; moderate: boolean };
}

/** A socket.io server with the signaling handshake, trusting the given keys. */
class SignalingUnderTest {
	readonly #http: HttpServer;
	readonly #io: Server;
	readonly #sockets: Socket[] = [];
	url = '';

	constructor(keys: readonly SigningKey[]) {
		this.#http = createServer();
		this.#io = new Server(this.#http);
		authenticate(this.#io, keys, createLogger('signaling', 'silent'));
		this.#io.on('connection', (socket) => {
			socket.on('whoami', (ack: (value: unknown) => void) => {
				ack((socket.data as SocketData).claims);
			});
		});
	}

	async start(): Promise<this> {
		await new Promise<void>((resolve) => this.#http.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.#http.address() as AddressInfo).port}`;

		return this;
	}

	/** Connects with a token: the claims signaling holds, or the refusal code. */
	async join(token: string): Promise<{ claims: JoinClaims } | { refused: string }> {
		const socket = connect(this.url, {
			auth: { token },
			transports: ['websocket'],
			reconnection: false,
		});

		this.#sockets.push(socket);

		return new Promise((resolve) => {
			socket.once('connect', () => {
				void socket.emitWithAck('whoami').then((claims) => {
					resolve({ claims: claims as JoinClaims });
				});
			});
			socket.once('connect_error', (error: Error & { data?: { code?: string } }) => {
				resolve({ refused: error.data?.code ?? 'none' });
			});
		});
	}

	async close(): Promise<void> {
		for (const socket of this.#sockets) {
			socket.close();
		}

		await this.#io.close();
	}
}

describe('app API: join tokens', () => {
	const [newKey, oldKey] = parseSigningKeys(
		`${randomJoinTokenKeys('new')},${randomJoinTokenKeys('old')}`,
	);
	let harness: AppHarness;
	let oldHarness: AppHarness;
	let signaling: SignalingUnderTest;
	let teacher: Account;
	let student: Account;
	let course: { id: string };

	if (newKey === undefined || oldKey === undefined) {
		throw new Error('two keys expected');
	}

	beforeAll(async () => {
		// The current app signs with the new key and still trusts the old one;
		// `oldHarness` is the same API before the rotation, signing with the old.
		harness = await AppHarness.start((config) => ({
			...config,
			joinTokens: { keys: [newKey, oldKey], ttlSeconds: 120 },
		}));
		oldHarness = await AppHarness.start((config) => ({
			...config,
			joinTokens: { keys: [oldKey], ttlSeconds: 2 },
		}));
		signaling = await new SignalingUnderTest([newKey, oldKey]).start();
		[teacher, student] = await Promise.all([
			harness.account('teacher', 'Asha'),
			harness.account('student', 'Ravi'),
		]);
		course = await harness.scheduleClass(teacher);
		await harness.call('POST', `/classes/${course.id}/enrollments`, {
			token: teacher.token,
			body: { userId: student.id },
		});
	});

	afterAll(async () => {
		await signaling.close();
		await oldHarness.close();
		await harness.close();
	});

	async function tokenFor(caller: Account, classId = course.id) {
		return harness.call<TokenBody>('POST', `/classes/${classId}/join-token`, {
			token: caller.token,
		});
	}

	it('gives the class teacher a teacher token with publish and moderate', async () => {
		const reply = await tokenFor(teacher);

		expect(reply.status).toBe(200);
		expect(reply.body).toMatchObject({
			role: 'teacher',
			grants: { publish: true, moderate: true },
		});
		expect(await signaling.join(reply.body.token)).toEqual({
			claims: {
				classId: course.id,
				userId: teacher.id,
				displayName: 'Asha',
				role: 'teacher',
				grants: { publish: true, moderate: true },
			},
		});
	});

	it('gives an enrolled student an audience token without grants', async () => {
		const reply = await tokenFor(student);

		expect(reply.body).toMatchObject({
			role: 'audience',
			grants: { publish: false, moderate: false },
		});
		expect(await signaling.join(reply.body.token)).toMatchObject({
			claims: { userId: student.id, role: 'audience', displayName: 'Ravi' },
		});

		const lifetime = Date.parse(reply.body.expiresAt) - Date.now();

		expect(lifetime).toBeGreaterThan(100_000);
		expect(lifetime).toBeLessThanOrEqual(120_000);
	});

	it('refuses an unenrolled student with not_enrolled', async () => {
		const stranger = await harness.account('student');
		const reply = await tokenFor(stranger);

		expect(reply.status).toBe(403);
		expect(reply.body).toMatchObject({ error: { code: 'not_enrolled' } });
		expect(reply.body).not.toHaveProperty('token');
	});

	it('refuses another teacher with forbidden', async () => {
		const other = await harness.account('teacher');
		const reply = await tokenFor(other);

		expect(reply.status).toBe(403);
		expect(reply.body).toMatchObject({ error: { code: 'forbidden' } });
	});

	it('refuses a class that has ended', async () => {
		const ended = await harness.scheduleClass(teacher);

		await harness.call('POST', `/classes/${ended.id}/start`, { token: teacher.token });
		expect((await tokenFor(teacher, ended.id)).status).toBe(200);
		await harness.call('POST', `/classes/${ended.id}/end`, { token: teacher.token });

		const reply = await tokenFor(teacher, ended.id);

		expect(reply.status).toBe(409);
		expect(reply.body).toMatchObject({ error: { code: 'invalid_state' } });
	});

	it('a tampered token is refused by signaling with token_invalid', async () => {
		const { token } = (await tokenFor(student)).body;
		const [header = '', payload = '', signature = ''] = token.split('.');
		const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as JoinClaims;
		const promoted = Buffer.from(
			JSON.stringify({ ...claims, role: 'teacher', grants: { publish: true, moderate: true } }),
		).toString('base64url');
		const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;

		expect(await signaling.join(`${header}.${promoted}.${signature}`)).toEqual({
			refused: 'token_invalid',
		});
		expect(await signaling.join(`${header}.${payload}.${flipped}`)).toEqual({
			refused: 'token_invalid',
		});
	});

	it('an expired token is refused by signaling with token_expired', async () => {
		const oldTeacher = await oldHarness.account('teacher');
		const oldCourse = await oldHarness.scheduleClass(oldTeacher);
		const reply = await oldHarness.call<TokenBody>('POST', `/classes/${oldCourse.id}/join-token`, {
			token: oldTeacher.token,
		});

		expect(reply.status).toBe(200);
		expect(await signaling.join(reply.body.token)).toMatchObject({ claims: { role: 'teacher' } });

		// The old app's tokens live two seconds.
		await new Promise((resolve) => setTimeout(resolve, 3100));
		expect(await signaling.join(reply.body.token)).toEqual({ refused: 'token_expired' });
	});

	it('after a rotation, old tokens verify while both keys are listed, and not after', async () => {
		const oldTeacher = await oldHarness.account('teacher');
		const oldCourse = await oldHarness.scheduleClass(oldTeacher);
		const beforeRotation = (
			await oldHarness.call<TokenBody>('POST', `/classes/${oldCourse.id}/join-token`, {
				token: oldTeacher.token,
			})
		).body.token;
		const afterRotation = (await tokenFor(teacher)).body.token;

		// The new app signs with the first key only.
		expect(verifyJoinToken([newKey], afterRotation)).toMatchObject({
			userId: teacher.id,
		});
		expect(() => verifyJoinToken([oldKey], afterRotation)).toThrow(
			'token signed with an unknown key',
		);
		expect(await signaling.join(beforeRotation)).toMatchObject({ claims: { role: 'teacher' } });

		const retired = await new SignalingUnderTest([newKey]).start();

		try {
			expect(await retired.join(beforeRotation)).toEqual({ refused: 'token_invalid' });
			expect(await retired.join(afterRotation)).toMatchObject({ claims: { role: 'teacher' } });
		} finally {
			await retired.close();
		}
	});
});
