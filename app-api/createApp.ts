// The app API as a fastify instance: validation by zod schemas (which also
// generate the OpenAPI description), one error table, ops routes and a
// request-duration histogram. main.ts runs it; the tests run it in-process.

import type { S3Client } from '@aws-sdk/client-s3';
import fastifySwagger from '@fastify/swagger';
import Fastify, {
	LogController,
	type FastifyBaseLogger,
	type FastifyError,
	type FastifyInstance,
	type RawReplyDefaultExpression,
	type RawRequestDefaultExpression,
	type RawServerDefault,
} from 'fastify';
import {
	hasZodFastifySchemaValidationErrors,
	jsonSchemaTransform,
	serializerCompiler,
	validatorCompiler,
	type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Db } from 'mongodb';
import { Histogram } from 'prom-client';
import { z } from 'zod';

import type { Config } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';
import type { OpsServer } from '../common/OpsServer.ts';
import { ApiError } from './ApiError.ts';
import { Sessions } from './auth/Sessions.ts';
import type { Database } from './db/Database.ts';
import { registerAnalyticsRoutes } from './routes/analytics.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerClassRoutes } from './routes/classes.ts';
import { registerEnrollmentRoutes } from './routes/enrollments.ts';
import { registerJoinTokenRoutes } from './routes/joinTokens.ts';
import { registerPaymentRoutes } from './routes/payments.ts';
import { registerRecordingRoutes } from './routes/recordings.ts';
import { registerUserRoutes } from './routes/users.ts';

export type App = FastifyInstance<
	RawServerDefault,
	RawRequestDefaultExpression,
	RawReplyDefaultExpression,
	FastifyBaseLogger,
	ZodTypeProvider
>;

/** What the routes use; each is owned (and closed) by whoever made it. */
export interface AppDeps {
	config: Config;
	logger: Logger;
	ops: OpsServer;
	db: Kysely<Database>;
	/** Publishes class lifecycle messages. */
	redis: Redis;
	/** Holds the analytics events signaling writes. */
	mongo: Db;
	s3: S3Client;
}

/** What every route module receives. */
export interface RouteContext extends AppDeps {
	app: App;
	sessions: Sessions;
}

// fastify's own request errors, mapped onto the API's codes.
const FASTIFY_CODES: Record<string, ApiError['code']> = {
	FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
	FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
	FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'malformed_body',
	FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_body',
	FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_body',
	FST_ERR_VALIDATION: 'validation_failed',
};

export async function createApp(deps: AppDeps): Promise<App> {
	const loggerInstance: FastifyBaseLogger = deps.logger;
	const app: App = Fastify({
		loggerInstance,
		bodyLimit: deps.config.appApi.bodyLimitBytes,
		// One line per request at debug (onResponse below) rather than two at info.
		logController: new LogController({ disableRequestLogging: true }),
		// Query strings are validated by schema, never parsed into nested objects.
		routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
	}).withTypeProvider<ZodTypeProvider>();

	app.setValidatorCompiler(validatorCompiler);
	app.setSerializerCompiler(serializerCompiler);
	app.setErrorHandler((error, request, reply) => {
		const refusal = toApiError(error);

		if (refusal.code === 'internal') {
			request.log.error({ err: error }, 'request failed');
		}

		return reply.status(refusal.status).send(refusal.toBody());
	});
	app.setNotFoundHandler((request, reply) =>
		reply
			.status(404)
			.send(new ApiError('not_found', `no route ${request.method} ${request.url}`).toBody()),
	);

	refuseUndeclaredInput(app);
	observeDurations(app, deps.ops);
	mountOps(app, deps.ops);

	await app.register(fastifySwagger, {
		openapi: {
			info: {
				title: 'live-classroom app API',
				description: 'Users, classes, enrollment, payments, join tokens, recordings, analytics.',
				version: '1.0.0',
			},
			components: {
				securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
			},
			security: [{ bearer: [] }],
		},
		transform: jsonSchemaTransform,
	});

	const context: RouteContext = {
		...deps,
		app,
		sessions: new Sessions(deps.db, deps.config.appApi.sessionTtlSeconds),
	};

	registerAuthRoutes(context);
	registerUserRoutes(context);
	registerClassRoutes(context);
	registerEnrollmentRoutes(context);
	registerPaymentRoutes(context);
	registerJoinTokenRoutes(context);
	registerRecordingRoutes(context);
	registerAnalyticsRoutes(context);

	app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
	await app.ready();

	return app;
}

function toApiError(error: unknown): ApiError {
	if (error instanceof ApiError) {
		return error;
	}

	if (hasZodFastifySchemaValidationErrors(error)) {
		const issues = error.validation.map((issue) => ({
			path: `${error.validationContext ?? 'request'}${issue.instancePath.replaceAll('/', '.')}`,
			message: issue.message ?? 'is invalid',
		}));

		return new ApiError(
			'validation_failed',
			issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '),
			issues,
		);
	}

	const fastifyError = error as Partial<FastifyError>;
	const code = fastifyError.code === undefined ? undefined : FASTIFY_CODES[fastifyError.code];

	if (code !== undefined) {
		return new ApiError(code);
	}

	if (
		fastifyError.statusCode !== undefined &&
		fastifyError.statusCode >= 400 &&
		fastifyError.statusCode < 500
	) {
		return new ApiError('validation_failed', fastifyError.message);
	}

	if (isUnavailable(error)) {
		return new ApiError('unavailable');
	}

	return new ApiError('internal');
}

// PostgreSQL refusing or dropping connections, or the pool waiting too long
// for one: the request may succeed shortly, which `unavailable` tells the client.
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03', '53300']);

function isUnavailable(error: unknown): boolean {
	if (!(error instanceof Error)) {
		return false;
	}

	const code = (error as NodeJS.ErrnoException).code;

	return (
		(code !== undefined && UNAVAILABLE_CODES.has(code)) ||
		error.message.includes('timeout exceeded when trying to connect')
	);
}

const NoQuery = z.strictObject({});
const NoBody = z.strictObject({}).nullish();

/**
 * A route that declares no query string takes none, and a POST, PATCH or
 * DELETE that declares no body takes none (or `{}`, or `null`): unknown input is
 * refused everywhere, not only where a schema was written.
 */
function refuseUndeclaredInput(app: App): void {
	app.addHook('onRoute', (route) => {
		const schema = route.schema ?? {};

		if (schema.hide === true) {
			return;
		}

		const methods = Array.isArray(route.method) ? route.method : [route.method];
		const takesBody = methods.some((method) => ['POST', 'PATCH', 'PUT', 'DELETE'].includes(method));

		route.schema = {
			...schema,
			querystring: schema.querystring ?? NoQuery,
			...(takesBody && schema.body === undefined ? { body: NoBody } : {}),
		};
	});
}

function observeDurations(app: App, ops: OpsServer): void {
	const histogram = new Histogram({
		name: 'app_api_request_duration_seconds',
		help: 'Time from request to response, by route template and status.',
		labelNames: ['method', 'route', 'status'],
		buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
		registers: [ops.registry],
	});

	app.addHook('onResponse', async (request, reply) => {
		// Unmatched paths share one label so that scanning cannot grow the series.
		const route = request.routeOptions.url ?? 'unmatched';
		const seconds = reply.elapsedTime / 1000;

		histogram.observe({ method: request.method, route, status: reply.statusCode }, seconds);
		request.log.debug(
			{ method: request.method, route, status: reply.statusCode, ms: reply.elapsedTime },
			'request',
		);
	});
}

function mountOps(app: App, ops: OpsServer): void {
	for (const path of ['/healthz', '/metrics']) {
		app.get(path, { schema: { hide: true } }, (request, reply) => {
			reply.hijack();
			ops.handle(request.raw, reply.raw);
		});
	}
}
