// `npm run bench:join-token`: the join-token route of the real app API (a
// child process on the local stack) at a steady 2,000 requests per second,
// open loop (benchmarks/steadyRate.ts), then at full speed by autocannon for
// its throughput; then a minimal fastify route (benchmarks/baselineServer.ts)
// the same two ways in the same run. Prints JSON.
//
// BENCH_RATE (default 2000) and BENCH_DURATION_SECONDS (default 20) adjust
// the run; DATABASE_URL and the other stack settings, when set, name an
// existing stack instead of a throwaway one; BENCH_CPU_PROFILE_DIR profiles.

import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import autocannon from 'autocannon';

import type { Database } from '../app-api/db/Database.ts';
import { migrateToLatest } from '../app-api/db/migrate.ts';
import { Sessions } from '../app-api/auth/Sessions.ts';
import { createUser } from '../app-api/users/createUser.ts';
import { createKysely } from '../common/clients/postgres.ts';
import { createS3Client, ensureBucket } from '../common/clients/s3.ts';
import { loadConfig, required } from '../common/config.ts';
import { projectRoot } from '../common/paths.ts';
import { LocalStack } from '../infra/stack/LocalStack.ts';
import { randomJoinTokenKeys } from '../infra/stack/localJoinTokenKeys.ts';
import { ManagedProcess } from '../infra/stack/ManagedProcess.ts';
import { freePort } from '../infra/stack/ports.ts';
import { measureSteadyRate, type SteadyRateFigures } from './steadyRate.ts';

const RATE = Number(process.env.BENCH_RATE ?? 2000);
const DURATION_SECONDS = Number(process.env.BENCH_DURATION_SECONDS ?? 20);
const CONNECTIONS = 50;

const SATURATION_SECONDS = 10;
const WARMUP_SECONDS = 3;

/** What autocannon reports at full speed: the most the route answers. */
interface SaturationFigures {
	rps: number;
	p50: number;
	p99: number;
	errors: number;
}

const dir = mkdtempSync(join(tmpdir(), 'classroom-bench-'));
const owned: { stop(): Promise<void> }[] = [];

/** The route at a steady RATE, then at full speed. */
async function measure(
	url: string,
	token: string | undefined,
): Promise<{ steady: SteadyRateFigures; saturation: SaturationFigures }> {
	const headers: Record<string, string> =
		token === undefined ? {} : { authorization: `Bearer ${token}` };
	const steady = await measureSteadyRate({
		url,
		method: 'POST',
		headers,
		rate: RATE,
		seconds: DURATION_SECONDS,
		connections: CONNECTIONS,
		warmupSeconds: WARMUP_SECONDS,
	});
	const result = await autocannon({
		url,
		method: 'POST',
		connections: CONNECTIONS,
		duration: SATURATION_SECONDS,
		headers,
	});

	return {
		steady,
		saturation: {
			rps: Math.round(result.requests.average),
			p50: result.latency.p50,
			p99: result.latency.p99,
			errors: result.errors + result.timeouts + result.non2xx,
		},
	};
}

/** With BENCH_CPU_PROFILE_DIR set, each server writes a V8 CPU profile there on exit. */
function profileArgs(name: string): string[] {
	const profileDir = process.env.BENCH_CPU_PROFILE_DIR;

	return profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`];
}

async function startProcess(name: string, entry: string, env: NodeJS.ProcessEnv, port: number) {
	const child = await ManagedProcess.start({
		name,
		// Node with tsx's loader in one process, not the tsx launcher and its child.
		command: process.execPath,
		args: [...profileArgs(name), '--import', 'tsx', join(projectRoot, entry)],
		env,
		logFile: join(dir, `${name}.log`),
		pidFile: join(dir, `${name}.pid`),
		ready: async () => {
			const response = await fetch(`http://127.0.0.1:${port}/healthz`);

			if (!response.ok) {
				throw new Error(`healthz answered ${response.status}`);
			}
		},
	});

	owned.push(child);

	return child;
}

async function main(): Promise<void> {
	// The machine's Node.js is 20; the pinned AWS SDK works on it (see README).
	process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
	let stackEnv: Record<string, string> = {};

	if (process.env.DATABASE_URL === undefined) {
		const stack = await LocalStack.start({ dir, durable: false });

		owned.push(stack);
		stackEnv = stack.env;
	}

	const env: NodeJS.ProcessEnv = {
		...process.env,
		...stackEnv,
		NODE_ENV: 'production',
		LOG_LEVEL: 'warn',
		AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
		JOIN_TOKEN_KEYS: process.env.JOIN_TOKEN_KEYS ?? randomJoinTokenKeys('bench'),
	};
	const config = loadConfig(env);
	const s3 = createS3Client(config.s3);

	await ensureBucket(s3, config.s3.bucket);
	s3.destroy();

	// The class, its teacher and an enrolled student, with a session for the student.
	const db = createKysely<Database>(required(config.postgres.url, 'DATABASE_URL'), 2);

	await migrateToLatest(db);

	const suffix = Date.now().toString(36);
	const teacher = await createUser(db, {
		email: `bench-teacher-${suffix}@example.test`,
		password: 'benchmark password',
		displayName: 'Bench Teacher',
		role: 'teacher',
	});
	const student = await createUser(db, {
		email: `bench-student-${suffix}@example.test`,
		password: 'benchmark password',
		displayName: 'Bench Student',
		role: 'student',
	});
	const course = await db
		.insertInto('classes')
		.values({
			teacher_id: teacher.id,
			title: 'Benchmark',
			starts_at: new Date(),
			duration_minutes: 60,
		})
		.returning('id')
		.executeTakeFirstOrThrow();

	await db
		.insertInto('enrollments')
		.values({ class_id: course.id, user_id: student.id, payment_id: null })
		.execute();

	const { token } = await new Sessions(db, 3600).create(student.id);

	await db.destroy();

	const apiPort = await freePort();
	const baselinePort = await freePort();
	const api = await startProcess(
		'app-api',
		'app-api/main.ts',
		{ ...env, APP_API_PORT: String(apiPort) },
		apiPort,
	);
	const routeUrl = `http://127.0.0.1:${apiPort}/classes/${course.id}/join-token`;

	const route = await measure(routeUrl, token);

	await api.stop();

	const baseline = await startProcess(
		'baseline',
		'benchmarks/baselineServer.ts',
		{ ...env, BASELINE_PORT: String(baselinePort) },
		baselinePort,
	);
	const baselineUrl = `http://127.0.0.1:${baselinePort}/classes/${course.id}/join-token`;

	const baselineFigures = await measure(baselineUrl, undefined);

	await baseline.stop();

	process.stdout.write(
		`${JSON.stringify(
			{
				benchmark: 'join-token',
				targetRate: RATE,
				durationSeconds: DURATION_SECONDS,
				warmupSeconds: WARMUP_SECONDS,
				saturationSeconds: SATURATION_SECONDS,
				connections: CONNECTIONS,
				route,
				baseline: baselineFigures,
				ratio: {
					p99: Number((route.steady.p99 / Math.max(baselineFigures.steady.p99, 0.001)).toFixed(2)),
					saturationRps: Number(
						(route.saturation.rps / Math.max(baselineFigures.saturation.rps, 1)).toFixed(3),
					),
				},
				targetP99Ms: 10,
				// The machine is shared; its load during the run says how far to trust the figures.
				machine: {
					cores: cpus().length,
					loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)),
				},
				meetsTarget:
					route.steady.p99 < 10 && route.steady.errors === 0 && route.steady.rps >= RATE * 0.95,
			},
			null,
			'\t',
		)}\n`,
	);
}

let cleaning: Promise<void> | undefined;

/** Stops every process this run started, newest first; once. */
function cleanup(): Promise<void> {
	cleaning ??= (async () => {
		for (const item of owned.reverse()) {
			await item.stop().catch(() => undefined);
		}

		rmSync(dir, { recursive: true, force: true });
	})();

	return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.once(signal, () => {
		void cleanup().then(() => process.exit(130));
	});
}

try {
	await main();
} finally {
	await cleanup();
}
