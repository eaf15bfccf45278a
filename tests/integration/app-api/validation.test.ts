// Every body and query goes through a strict schema: wrong types, missing
// fields, unknown fields, oversized or malformed bodies get a 4xx with a
// stable code, and SQL in any string field is stored or refused as text.

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AppHarness, PASSWORD, type Account } from './AppHarness.ts';

const INJECTIONS = [
	"' OR '1'='1",
	"'; DROP TABLE users; --",
	"Robert'); DROP TABLE classes;--",
	"1; UPDATE users SET role = 'admin'",
	"' UNION SELECT password_hash FROM users --",
	"x' AND pg_sleep(3) IS NULL --",
];

const SOME_ID = '00000000-0000-4000-8000-000000000000';

describe('app API: input validation', () => {
	let harness: AppHarness;
	let teacher: Account;
	let student: Account;
	let admin: Account;
	let course: { id: string };

	beforeAll(async () => {
		harness = await AppHarness.start();
		[teacher, student, admin] = await Promise.all([
			harness.account('teacher'),
			harness.account('student'),
			harness.account('admin'),
		]);
		course = await harness.scheduleClass(teacher);
	});

	afterAll(async () => {
		await harness.close();
	});

	// Every route that takes a body, with a valid body for it.
	const BODY_ROUTES: [string, () => string, Record<string, unknown>][] = [
		[
			'POST',
			() => '/auth/signup',
			{ email: 'x@example.test', password: PASSWORD, displayName: 'X' },
		],
		['POST', () => '/auth/login', { email: 'x@example.test', password: PASSWORD }],
		[
			'POST',
			() => '/users',
			{ email: 'y@example.test', password: PASSWORD, displayName: 'Y', role: 'teacher' },
		],
		[
			'POST',
			() => '/classes',
			{ title: 'T', startsAt: '2030-01-01T00:00:00Z', durationMinutes: 30 },
		],
		['PATCH', () => `/classes/${course.id}`, { title: 'T' }],
		['POST', () => `/classes/${course.id}/enrollments`, { userId: SOME_ID }],
		[
			'POST',
			() => '/payments',
			{ classId: SOME_ID, idempotencyKey: 'abcdefgh', amountCents: 1, currency: 'EUR' },
		],
	];

	it.each(BODY_ROUTES)('%s %s refuses an unknown field', async (method, path, body) => {
		const reply = await harness.call(method, path(), {
			token: admin.token,
			body: { ...body, role: 'admin', isAdmin: true, extra: 1 },
		});

		expect(reply.status).toBe(400);
		expect(reply.body).toMatchObject({ error: { code: 'validation_failed' } });
	});

	it.each(BODY_ROUTES)(
		'%s %s refuses wrong types and missing fields',
		async (method, path, body) => {
			const wrongTypes = Object.fromEntries(Object.keys(body).map((key) => [key, { nested: [1] }]));

			for (const sent of [wrongTypes, {}, [], 'text', 42, null]) {
				const reply = await harness.call(method, path(), { token: admin.token, body: sent });

				expect(reply.status).toBe(400);
				expect(reply.body).toMatchObject({ error: { code: 'validation_failed' } });
			}
		},
	);

	it.each(BODY_ROUTES)('%s %s refuses an oversized body with 413', async (method, path, body) => {
		const reply = await harness.call(method, path(), {
			token: admin.token,
			body: { ...body, padding: 'x'.repeat(20_000) },
		});

		expect(reply.status).toBe(413);
		expect(reply.body).toMatchObject({ error: { code: 'payload_too_large' } });
	});

	it('names each failing field in issues', async () => {
		const reply = await harness.call<{ error: { issues: { path: string }[] } }>(
			'POST',
			'/auth/signup',
			{ body: { email: 'not-an-email', password: 12, displayName: '' } },
		);

		expect(reply.body.error.issues.map((issue) => issue.path).sort()).toEqual([
			'body.displayName',
			'body.email',
			'body.password',
		]);
	});

	it('refuses malformed JSON, an empty JSON body and other media types', async () => {
		const broken = await harness.call('POST', '/auth/login', { raw: '{"email": "a@b.c",' });
		const empty = await harness.call('POST', '/auth/login', { raw: '' });
		const form = await harness.call('POST', '/auth/login', {
			raw: 'email=a@b.c',
			contentType: 'application/x-www-form-urlencoded',
		});

		expect(broken.status).toBe(400);
		expect(broken.body).toMatchObject({ error: { code: 'malformed_body' } });
		expect(empty.body).toMatchObject({ error: { code: 'malformed_body' } });
		expect(form.status).toBe(415);
		expect(form.body).toMatchObject({ error: { code: 'unsupported_media_type' } });
	});

	it('refuses control characters in text', async () => {
		const reply = await harness.call('POST', '/auth/signup', {
			body: { email: 'nul@example.test', password: PASSWORD, displayName: 'a\u0000b' },
		});

		expect(reply.body).toMatchObject({ error: { code: 'validation_failed' } });
	});

	it.each([
		['/classes?limit=abc'],
		['/classes?limit=0'],
		['/classes?limit=101'],
		['/classes?state=paused'],
		['/classes?from=yesterday'],
		['/classes?teacherId=42'],
		['/classes?unknown=1'],
		['/users?offset=-1'],
		['/classes/not-a-uuid'],
		['/classes/not-a-uuid/recordings'],
	])('GET %s is refused with validation_failed', async (path) => {
		const reply = await harness.call('GET', path, { token: admin.token });

		expect(reply.status).toBe(400);
		expect(reply.body).toMatchObject({ error: { code: 'validation_failed' } });
	});

	it('refuses a body or a query on routes that declare none', async () => {
		const replies = await Promise.all([
			harness.call('POST', `/classes/${course.id}/start`, {
				token: teacher.token,
				body: { state: 'ended' },
			}),
			harness.call('POST', `/classes/${course.id}/join-token`, {
				token: teacher.token,
				body: { role: 'teacher' },
			}),
			harness.call('GET', '/auth/me?debug=1', { token: teacher.token }),
			harness.call('GET', `/classes/${course.id}?fields=all`, { token: teacher.token }),
		]);

		for (const reply of replies) {
			expect(reply.status).toBe(400);
			expect(reply.body).toMatchObject({ error: { code: 'validation_failed' } });
		}

		const fetched = await harness.call('GET', `/classes/${course.id}`, { token: teacher.token });

		expect(fetched.body).toMatchObject({ state: 'scheduled' });
	});

	it('answers not_found for an unknown route', async () => {
		const reply = await harness.call('GET', '/nowhere');

		expect(reply.status).toBe(404);
		expect(reply.body).toMatchObject({ error: { code: 'not_found' } });
	});

	it.each(INJECTIONS)('stores SQL in text fields verbatim: %s', async (payload) => {
		const signup = await harness.call<{ token: string; user: { id: string } }>(
			'POST',
			'/auth/signup',
			{
				body: {
					email: `${Math.random().toString(36).slice(2)}@example.test`,
					password: `${payload} and long`,
					displayName: payload.slice(0, 80),
				},
			},
		);

		expect(signup.status).toBe(201);

		const me = await harness.call('GET', '/auth/me', { token: signup.body.token });

		expect(me.body).toMatchObject({ displayName: payload.slice(0, 80), role: 'student' });

		const created = await harness.call<{ id: string; title: string }>('POST', '/classes', {
			token: teacher.token,
			body: { title: payload, startsAt: '2030-01-01T00:00:00Z', durationMinutes: 30 },
		});

		expect(created.body.title).toBe(payload);

		const renamed = await harness.call<{ title: string }>('PATCH', `/classes/${created.body.id}`, {
			token: teacher.token,
			body: { title: `${payload}!` },
		});

		expect(renamed.body.title).toBe(`${payload}!`);
	});

	it.each(INJECTIONS)('refuses SQL where a field has a format: %s', async (payload) => {
		const replies = await Promise.all([
			harness.call('POST', '/auth/login', { body: { email: payload, password: payload } }),
			harness.call('POST', '/auth/signup', {
				body: { email: payload, password: PASSWORD, displayName: 'x' },
			}),
			harness.call('POST', '/payments', {
				token: student.token,
				body: { classId: course.id, idempotencyKey: payload, amountCents: 1, currency: payload },
			}),
			harness.call('POST', `/classes/${course.id}/enrollments`, {
				token: teacher.token,
				body: { userId: payload },
			}),
			harness.call('GET', `/classes?teacherId=${encodeURIComponent(payload)}`, {
				token: student.token,
			}),
			harness.call('GET', `/classes?state=${encodeURIComponent(payload)}`, {
				token: student.token,
			}),
			harness.call('GET', `/classes?cursor=${encodeURIComponent(payload)}`, {
				token: student.token,
			}),
			harness.call('GET', `/classes/${encodeURIComponent(payload)}`, { token: student.token }),
			harness.call('GET', '/auth/me', { token: payload }),
		]);

		for (const reply of replies) {
			expect([400, 401]).toContain(reply.status);
		}
	});

	it('after every attempt the tables and roles are intact', async () => {
		const tables = await sql<{ tablename: string }>`
			SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`.execute(harness.db);

		expect(tables.rows.map((row) => row.tablename)).toEqual(
			expect.arrayContaining([
				'classes',
				'enrollments',
				'payments',
				'recordings',
				'sessions',
				'users',
			]),
		);

		const roles = await harness.db
			.selectFrom('users')
			.select(['role', (eb) => eb.fn.countAll<string>().as('count')])
			.groupBy('role')
			.orderBy('role')
			.execute();

		// One admin and one teacher from beforeAll; the students are ours and the signups.
		expect(roles).toEqual([
			{ role: 'admin', count: '1' },
			{ role: 'student', count: String(1 + INJECTIONS.length) },
			{ role: 'teacher', count: '1' },
		]);
		expect(await harness.db.selectFrom('payments').select('id').execute()).toEqual([]);
	});
});
