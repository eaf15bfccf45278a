import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApp } from '../../../app-api/createApp.ts';
import type { Database } from '../../../app-api/db/Database.ts';
import { createKysely } from '../../../common/clients/postgres.ts';
import { createLogger } from '../../../common/logger.ts';
import { OpsServer } from '../../../common/OpsServer.ts';
import { freePort } from '../../../infra/stack/ports.ts';
import { AppHarness, PASSWORD } from './AppHarness.ts';

interface OpenApi {
	openapi: string;
	paths: Record<string, Record<string, { requestBody?: unknown; responses: object }>>;
}

describe('app API: OpenAPI description and ops routes', () => {
	let harness: AppHarness;

	beforeAll(async () => {
		harness = await AppHarness.start();
	});

	afterAll(async () => {
		await harness.close();
	});

	it('GET /openapi.json describes every route from its schemas', async () => {
		const reply = await harness.call<OpenApi>('GET', '/openapi.json');
		const routes = Object.entries(reply.body.paths).flatMap(([path, methods]) =>
			Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
		);

		expect(reply.body.openapi).toMatch(/^3\./);
		expect(routes.sort()).toEqual([
			'DELETE /classes/{id}/enrollments/{userId}',
			'GET /auth/me',
			'GET /classes',
			'GET /classes/{id}',
			'GET /classes/{id}/analytics',
			'GET /classes/{id}/enrollments',
			'GET /classes/{id}/recordings',
			'GET /payments',
			'GET /users',
			'PATCH /classes/{id}',
			'POST /auth/login',
			'POST /auth/logout',
			'POST /auth/signup',
			'POST /classes',
			'POST /classes/{id}/cancel',
			'POST /classes/{id}/end',
			'POST /classes/{id}/enrollments',
			'POST /classes/{id}/join-token',
			'POST /classes/{id}/start',
			'POST /payments',
			'POST /users',
		]);
		expect(reply.body.paths['/payments']?.post?.requestBody).toMatchObject({
			content: {
				'application/json': {
					schema: {
						required: expect.arrayContaining(['classId', 'idempotencyKey']) as unknown,
						additionalProperties: false,
					},
				},
			},
		});
	});

	it('GET /healthz reports ok', async () => {
		const reply = await harness.call('GET', '/healthz');

		expect(reply.status).toBe(200);
		expect(reply.body).toMatchObject({ status: 'ok' });
	});

	it('GET /metrics has the request-duration histogram by route template', async () => {
		await harness.call('GET', '/classes/00000000-0000-4000-8000-000000000000');

		const response = await fetch(`${harness.url}/metrics`);
		const text = await response.text();

		const counts = text
			.split('\n')
			.filter((line) => line.startsWith('app_api_request_duration_seconds_count'));

		expect(counts).toContain(
			'app_api_request_duration_seconds_count' +
				'{service="app-api",method="GET",route="/classes/:id",status="401"} 1',
		);
	});

	it('answers unavailable (503) while PostgreSQL cannot be reached', async () => {
		const logger = createLogger('app-api', 'silent');
		const unreachable = createKysely<Database>(`postgres://127.0.0.1:${await freePort()}/none`, 1);
		const app = await createApp({
			config: harness.resources.config,
			logger,
			ops: new OpsServer('app-api', logger),
			db: unreachable,
			redis: harness.redis,
			mongo: harness.mongo,
			s3: harness.s3,
		});

		try {
			const url = await app.listen({ port: 0, host: '127.0.0.1' });
			const response = await fetch(`${url}/auth/login`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ email: 'a@example.test', password: PASSWORD }),
			});

			expect(response.status).toBe(503);
			expect(await response.json()).toMatchObject({ error: { code: 'unavailable' } });
		} finally {
			await app.close();
			await unreachable.destroy();
		}
	});
});
