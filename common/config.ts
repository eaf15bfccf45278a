// The one typed configuration of every service, read from the environment.
// Endpoint URLs are optional here: `npm start` and the tests fill in the ones
// left unset with the local stack's before the services read them.

import { availableParallelism } from 'node:os';

import { z } from 'zod';

import { DEFAULT_LADDER, parseLadder, type Rendition } from '../hls-bridge/Rendition.ts';
import { parseSigningKeys, type SigningKey } from './auth/JoinToken.ts';
import { ConfigError } from './ConfigError.ts';
import { defaultDataDir } from './paths.ts';
import { redactUrl } from './redactUrl.ts';

/** Settings whose values never appear in an error message. */
const SECRET_SETTINGS = new Set(['JOIN_TOKEN_KEYS', 'S3_SECRET_ACCESS_KEY', 'S3_ACCESS_KEY_ID']);

const port = z.coerce
	.number({ error: 'must be a port number' })
	.int('must be a whole port number')
	.min(1, 'must be a port between 1 and 65535')
	.max(65535, 'must be a port between 1 and 65535');

function urlWithScheme(schemes: readonly string[]) {
	return z
		.url({ error: `must be a URL (${schemes.join(' or ')})` })
		.refine((value) => schemes.some((scheme) => value.startsWith(`${scheme}://`)), {
			error: `must start with ${schemes.map((scheme) => `${scheme}://`).join(' or ')}`,
		});
}

const flag = z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' });

const EnvSchema = z.object({
	NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
	LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
	CLASSROOM_DATA_DIR: z.string().min(1).default(defaultDataDir),

	DATABASE_URL: urlWithScheme(['postgres', 'postgresql']).optional(),
	REDIS_URL: urlWithScheme(['redis', 'rediss']).optional(),
	MONGODB_URL: urlWithScheme(['mongodb', 'mongodb+srv']).optional(),
	MONGODB_DATABASE: z
		.string()
		.regex(/^[A-Za-z0-9_-]{1,63}$/, 'must be a database name')
		.default('classroom'),
	S3_ENDPOINT: urlWithScheme(['http', 'https']).optional(),
	S3_REGION: z.string().min(1).default('us-east-1'),
	S3_ACCESS_KEY_ID: z.string().min(1).optional(),
	S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
	S3_BUCKET: z
		.string()
		.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')
		.default('classroom'),
	S3_FORCE_PATH_STYLE: flag.default('true'),

	PUBLIC_HOST: z.string().min(1).default('127.0.0.1'),
	APP_API_PORT: port.default(8080),
	APP_API_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10_485_760).default(16_384),
	APP_API_SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(31_536_000).default(604_800),
	RECORDING_URL_TTL_SECONDS: z.coerce.number().int().min(10).max(604_800).default(900),
	SIGNALING_PORT: port.default(8081),
	SIGNALING_REDIS_PREFIX: z
		.string()
		.regex(/^[A-Za-z0-9:_-]{0,64}$/, 'must be letters, digits, ":", "_" or "-"')
		.default(''),
	SIGNALING_PRESENCE_TTL_SECONDS: z.coerce.number().int().min(2).max(600).default(30),
	SIGNALING_PRESENCE_COUNT_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
	SIGNALING_TICK_MS: z.coerce.number().int().min(10).max(1000).default(250),
	SIGNALING_STAGE_LIMIT: z.coerce.number().int().min(1).max(64).default(6),
	SIGNALING_CHAT_HISTORY: z.coerce.number().int().min(0).max(500).default(50),
	SFU_RTC_PORT_BASE: port.default(40000),
	SFU_WORKERS: z.coerce.number().int().min(1).max(256).default(availableParallelism()),
	SFU_ANNOUNCED_IP: z.ipv4({ error: 'must be an IPv4 address' }).default('127.0.0.1'),
	MEDIASOUP_WORKER_BIN: z.string().min(1).optional(),
	JOIN_TOKEN_KEYS: z
		.string()
		.transform((value, context) => {
			try {
				return parseSigningKeys(value);
			} catch (error) {
				context.addIssue({
					code: 'custom',
					message: error instanceof Error ? error.message : 'is invalid',
				});

				return z.NEVER;
			}
		})
		.optional(),
	JOIN_TOKEN_TTL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
	RECORDER_OPS_PORT: port.default(8083),
	RECORDING_KEEP_SEGMENTS: flag.default('true'),
	RECORDING_SEGMENT_SECONDS: z.coerce.number().int().min(1).max(10).default(2),
	RECORDING_VIDEO_HEIGHT: z.coerce.number().int().min(144).max(1080).default(720),
	RECORDER_PROGRAM_SDP_DIR: z.string().min(1).optional(),
	RECORDER_RTP_HOST: z.ipv4({ error: 'must be an IPv4 address' }).default('127.0.0.1'),
	HLS_LADDER: z
		.string()
		.default(DEFAULT_LADDER)
		.transform((value, context) => {
			try {
				return parseLadder(value);
			} catch (error) {
				context.addIssue({
					code: 'custom',
					message: error instanceof Error ? error.message : 'is invalid',
				});

				return z.NEVER;
			}
		}),
	HLS_SEGMENT_SECONDS: z.coerce
		.number({ error: 'must be a number of seconds' })
		.min(0.5, 'must be between 0.5 and 10 seconds')
		.max(10, 'must be between 0.5 and 10 seconds')
		.default(1),
	HLS_LIST_SIZE: z.coerce
		.number({ error: 'must be a whole number of segments' })
		.int('must be a whole number of segments')
		.min(3, 'must be between 3 and 60 segments')
		.max(60, 'must be between 3 and 60 segments')
		.default(6),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
	env: Env['NODE_ENV'];
	logLevel: Env['LOG_LEVEL'];
	dataDir: string;
	publicHost: string;
	postgres: { url: string | undefined };
	redis: { url: string | undefined };
	mongo: { url: string | undefined; database: string };
	s3: {
		endpoint: string | undefined;
		region: string;
		accessKeyId: string | undefined;
		secretAccessKey: string | undefined;
		bucket: string;
		forcePathStyle: boolean;
	};
	joinTokens: {
		/** The first key signs; all verify. Unset outside `npm start` and the tests. */
		keys: SigningKey[] | undefined;
		ttlSeconds: number;
	};
	appApi: {
		port: number;
		/** Largest request body accepted, in bytes. */
		bodyLimitBytes: number;
		sessionTtlSeconds: number;
		/** Lifetime of a presigned replay URL. */
		recordingUrlTtlSeconds: number;
	};
	signaling: {
		port: number;
		/**
		 * Prefix of every Redis key, stream and channel that signaling and the
		 * recorder use (tests isolate with it).
		 */
		redisPrefix: string;
		/** A member whose process stops refreshing disappears after this. */
		presenceTtlSeconds: number;
		/** How often member counts are pushed. */
		presenceCountIntervalMs: number;
		/** How often chat and tallies are delivered in batches. */
		tickMs: number;
		stageLimit: number;
		/** Messages handed to a member on joining. */
		chatHistory: number;
	};
	recorder: {
		opsPort: number;
		/** Keep the raw segments and the live playlist in S3 after finalizing. */
		keepSegments: boolean;
		segmentSeconds: number;
		/** Height of the archived 16:9 picture. */
		videoHeight: number;
		/**
		 * Folder holding `<classId>.sdp` per live class, for a program fed by
		 * something other than the SFU; unset, the SFU feeds it.
		 */
		programSdpDir: string | undefined;
		/** This host's address, where the SFU sends the program. */
		rtpHost: string;
	};
	sfu: {
		rtcPortBase: number;
		workers: number;
		announcedIp: string;
		workerBin: string | undefined;
	};
	hls: {
		/** The ladder's rungs, highest first. */
		renditions: Rendition[];
		segmentSeconds: number;
		/** Segments kept in each live playlist. */
		listSize: number;
	};
}

/**
 * Reads the configuration from an environment. Throws a ConfigError naming
 * the first bad setting.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
	// Empty strings count as unset, as shells and .env files tend to write them.
	const present = Object.fromEntries(
		Object.entries(source).filter(([, value]) => value !== undefined && value !== ''),
	);
	const parsed = EnvSchema.safeParse(present);

	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const setting = String(issue?.path[0] ?? 'environment');
		const given = present[setting];
		const shown =
			given === undefined || SECRET_SETTINGS.has(setting)
				? undefined
				: setting.endsWith('_URL')
					? redactUrl(given)
					: given;

		throw new ConfigError(
			setting,
			`${issue?.message ?? 'is invalid'}${shown === undefined ? '' : ` (got "${shown}")`}`,
		);
	}

	const env = parsed.data;

	return {
		env: env.NODE_ENV,
		logLevel: env.LOG_LEVEL,
		dataDir: env.CLASSROOM_DATA_DIR,
		publicHost: env.PUBLIC_HOST,
		postgres: { url: env.DATABASE_URL },
		redis: { url: env.REDIS_URL },
		mongo: { url: env.MONGODB_URL, database: env.MONGODB_DATABASE },
		s3: {
			endpoint: env.S3_ENDPOINT,
			region: env.S3_REGION,
			accessKeyId: env.S3_ACCESS_KEY_ID,
			secretAccessKey: env.S3_SECRET_ACCESS_KEY,
			bucket: env.S3_BUCKET,
			forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true' || env.S3_FORCE_PATH_STYLE === '1',
		},
		joinTokens: { keys: env.JOIN_TOKEN_KEYS, ttlSeconds: env.JOIN_TOKEN_TTL_SECONDS },
		appApi: {
			port: env.APP_API_PORT,
			bodyLimitBytes: env.APP_API_BODY_LIMIT_BYTES,
			sessionTtlSeconds: env.APP_API_SESSION_TTL_SECONDS,
			recordingUrlTtlSeconds: env.RECORDING_URL_TTL_SECONDS,
		},
		signaling: {
			port: env.SIGNALING_PORT,
			redisPrefix: env.SIGNALING_REDIS_PREFIX,
			presenceTtlSeconds: env.SIGNALING_PRESENCE_TTL_SECONDS,
			presenceCountIntervalMs: env.SIGNALING_PRESENCE_COUNT_INTERVAL_MS,
			tickMs: env.SIGNALING_TICK_MS,
			stageLimit: env.SIGNALING_STAGE_LIMIT,
			chatHistory: env.SIGNALING_CHAT_HISTORY,
		},
		recorder: {
			opsPort: env.RECORDER_OPS_PORT,
			keepSegments: env.RECORDING_KEEP_SEGMENTS === 'true' || env.RECORDING_KEEP_SEGMENTS === '1',
			segmentSeconds: env.RECORDING_SEGMENT_SECONDS,
			videoHeight: env.RECORDING_VIDEO_HEIGHT,
			programSdpDir: env.RECORDER_PROGRAM_SDP_DIR,
			rtpHost: env.RECORDER_RTP_HOST,
		},
		sfu: {
			rtcPortBase: env.SFU_RTC_PORT_BASE,
			workers: env.SFU_WORKERS,
			announcedIp: env.SFU_ANNOUNCED_IP,
			workerBin: env.MEDIASOUP_WORKER_BIN,
		},
		hls: {
			renditions: env.HLS_LADDER,
			segmentSeconds: env.HLS_SEGMENT_SECONDS,
			listSize: env.HLS_LIST_SIZE,
		},
	};
}

/** Returns a setting a service cannot run without, or throws naming it. */
export function required<T>(value: T | undefined, setting: string): T {
	if (value === undefined) {
		throw new ConfigError(setting, 'is not set');
	}

	return value;
}
