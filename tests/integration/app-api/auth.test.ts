import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { projectRoot } from '../../../common/paths.ts';
import { AppHarness, PASSWORD } from './AppHarness.ts';

describe('app API: accounts and sessions', () => {
	let harness: AppHarness;

	beforeAll(async () => {
		harness = await AppHarness.start();
	});

	afterAll(async () => {
		await harness.close();
	});

	it('POST /auth/signup creates a student, logged in, with a hashed password', async () => {
		const reply = await harness.call<{ user: { role: string; email: string }; token: string }>(
			'POST',
			'/auth/signup',
			{ body: { email: 'Ada@Example.test', password: PASSWORD, displayName: 'Ada' } },
		);

		expect(reply.status).toBe(201);
		expect(reply.body.user).toMatchObject({ role: 'student', email: 'ada@example.test' });

		const me = await harness.call('GET', '/auth/me', { token: reply.body.token });

		expect(me.body).toMatchObject({ email: 'ada@example.test', displayName: 'Ada' });

		const stored = await harness.db
			.selectFrom('users')
			.select('password_hash')
			.where('email', '=', 'ada@example.test')
			.executeTakeFirstOrThrow();

		expect(stored.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
		expect(stored.password_hash).not.toContain(PASSWORD);
	});

	it('POST /auth/signup refuses a taken email with conflict', async () => {
		const reply = await harness.call('POST', '/auth/signup', {
			body: { email: 'ada@example.test', password: PASSWORD, displayName: 'Ada again' },
		});

		expect(reply.status).toBe(409);
		expect(reply.body).toMatchObject({ error: { code: 'conflict' } });
	});

	it('POST /auth/login refuses a wrong password and an unknown email alike', async () => {
		for (const email of ['ada@example.test', 'nobody@example.test']) {
			const reply = await harness.call('POST', '/auth/login', {
				body: { email, password: 'not the password' },
			});

			expect(reply.status).toBe(401);
			expect(reply.body).toMatchObject({
				error: { code: 'unauthorized', message: 'wrong email or password' },
			});
		}
	});

	it('POST /auth/logout ends the session', async () => {
		const student = await harness.account('student');

		expect((await harness.call('POST', '/auth/logout', { token: student.token })).status).toBe(204);

		const me = await harness.call('GET', '/auth/me', { token: student.token });

		expect(me.status).toBe(401);
		expect(me.body).toMatchObject({ error: { code: 'unauthorized' } });
	});

	it('refuses a missing, malformed or unknown bearer token with unauthorized', async () => {
		for (const token of [undefined, 'short', 'A'.repeat(43)]) {
			const reply = await harness.call('GET', '/auth/me', token === undefined ? {} : { token });

			expect(reply.status).toBe(401);
			expect(reply.body).toMatchObject({ error: { code: 'unauthorized' } });
		}
	});

	it('refuses an expired session', async () => {
		const student = await harness.account('student');

		expect((await harness.call('GET', '/auth/me', { token: student.token })).status).toBe(200);
		await sql`UPDATE sessions SET expires_at = now() - interval '1 second'
			WHERE user_id = ${student.id}`.execute(harness.db);

		expect((await harness.call('GET', '/auth/me', { token: student.token })).status).toBe(401);
	});

	it('POST /users creates teachers for admins and is forbidden to others', async () => {
		const admin = await harness.account('admin');
		const teacher = await harness.account('teacher');
		const body = {
			email: 'grace@example.test',
			password: PASSWORD,
			displayName: 'Grace',
			role: 'teacher',
		};

		const refused = await harness.call('POST', '/users', { token: teacher.token, body });

		expect(refused.status).toBe(403);
		expect(refused.body).toMatchObject({ error: { code: 'forbidden' } });

		const created = await harness.call('POST', '/users', { token: admin.token, body });

		expect(created.status).toBe(201);
		expect(created.body).toMatchObject({ role: 'teacher', email: 'grace@example.test' });

		const listed = await harness.call<{ users: { email: string }[] }>(
			'GET',
			'/users?role=teacher',
			{ token: admin.token },
		);

		expect(listed.body.users.map((user) => user.email)).toContain('grace@example.test');
		expect(listed.body.users.map((user) => user.email)).not.toContain('ada@example.test');
	});

	it('npm run app-api:create-admin makes an admin who can log in', async () => {
		await promisify(execFile)(
			join(projectRoot, 'node_modules', '.bin', 'tsx'),
			[join(projectRoot, 'app-api', 'createAdmin.ts'), 'ops@example.test', 'Operator'],
			{
				env: {
					...process.env,
					DATABASE_URL: harness.resources.databaseUrl,
					ADMIN_PASSWORD: PASSWORD,
				},
			},
		);

		const login = await harness.call<{ user: { role: string } }>('POST', '/auth/login', {
			body: { email: 'ops@example.test', password: PASSWORD },
		});

		expect(login.body.user.role).toBe('admin');
	});
});
