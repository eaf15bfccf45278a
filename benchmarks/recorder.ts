// `npm run bench:recorder`: the recorder service (a child process on a
// throwaway local stack) recording BENCH_CLASSES live classes (default 2),
// each fed by its own ffmpeg RTP source standing in for the SFU's program.
// Reports the CPU and memory of the recorder and its ffmpeg children per
// live class, against the same process idle (the baseline, same run), and
// the time from class end to a playable VOD (its row `ready`). Prints JSON.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Database } from '../app-api/db/Database.ts';
import { migrateToLatest } from '../app-api/db/migrate.ts';
import { createUser } from '../app-api/users/createUser.ts';
import { createKysely } from '../common/clients/postgres.ts';
import { createRedis } from '../common/clients/redis.ts';
import { loadConfig, required } from '../common/config.ts';
import { CLASS_LIFECYCLE_CHANNEL } from '../common/events/ClassLifecycle.ts';
import { projectRoot } from '../common/paths.ts';
import { childPids } from '../common/procfs.ts';
import { programSdp } from '../sfu/programSdp.ts';
import { LocalStack } from '../infra/stack/LocalStack.ts';
import { ManagedProcess } from '../infra/stack/ManagedProcess.ts';
import { freePort } from '../infra/stack/ports.ts';
import { startRtpSource, type RtpSource } from '../tests/support/rtpSource.ts';

const CLASSES = Number(process.env.BENCH_CLASSES ?? 2);
const WINDOW_SECONDS = Number(process.env.BENCH_WINDOW_SECONDS ?? 15);
/** Linux reports CPU time in clock ticks of 1/100 s. */
const TICKS_PER_SECOND = 100;

const dir = mkdtempSync(join(tmpdir(), 'classroom-bench-recorder-'));
const owned: { stop(): Promise<void> }[] = [];

/** CPU seconds used so far by a process and its children, and their resident memory. */
function usage(pid: number): { cpuSeconds: number; rssBytes: number } {
	let cpuSeconds = 0;
	let rssBytes = 0;

	for (const member of [pid, ...childPids(pid)]) {
		try {
			const stat = readFileSync(`/proc/${member}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			const status = readFileSync(`/proc/${member}/status`, 'utf8');
			const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);

			// Fields 14 and 15 of stat (utime, stime), counted after the command.
			cpuSeconds += (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
			rssBytes += rssKb * 1024;
		} catch {
			// The process ended between listing and reading.
		}
	}

	return { cpuSeconds, rssBytes };
}

async function measureWindow(pid: number): Promise<{ cpuPercent: number; rssMiB: number }> {
	const before = usage(pid).cpuSeconds;
	let rssMax = 0;

	for (let elapsed = 0; elapsed < WINDOW_SECONDS; elapsed += 1) {
		await sleep(1000);
		rssMax = Math.max(rssMax, usage(pid).rssBytes);
	}

	const cpuSeconds = usage(pid).cpuSeconds - before;

	return {
		cpuPercent: Math.round((cpuSeconds / WINDOW_SECONDS) * 1000) / 10,
		rssMiB: Math.round(rssMax / 1024 / 1024),
	};
}

async function main(): Promise<void> {
	process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

	const stack = await LocalStack.start({ dir, durable: false });

	owned.push(stack);

	const env: NodeJS.ProcessEnv = {
		...process.env,
		...stack.env,
		NODE_ENV: 'production',
		LOG_LEVEL: 'warn',
		AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
	};
	const config = loadConfig(env);
	const db = createKysely<Database>(required(config.postgres.url, 'DATABASE_URL'), 2);
	const redis = createRedis(required(config.redis.url, 'REDIS_URL'));

	await migrateToLatest(db);

	const teacher = await createUser(db, {
		email: 'bench-teacher@example.test',
		password: 'benchmark password',
		displayName: 'Bench Teacher',
		role: 'teacher',
	});
	const sdpDir = join(dir, 'sdp');
	const classIds: string[] = [];
	const sources: RtpSource[] = [];

	mkdirSync(sdpDir);
	for (let index = 0; index < CLASSES; index += 1) {
		const row = await db
			.insertInto('classes')
			.values({
				teacher_id: teacher.id,
				title: `Benchmark ${index}`,
				starts_at: new Date(),
				duration_minutes: 60,
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		const source = await startRtpSource('640x360');

		owned.push(source);
		sources.push(source);
		classIds.push(row.id);
		writeFileSync(join(sdpDir, `${row.id}.sdp`), programSdp(source.program));
	}

	const port = await freePort();
	const pidFile = join(dir, 'recorder.pid');
	const recorder = await ManagedProcess.start({
		name: 'recorder',
		command: process.execPath,
		args: ['--import', 'tsx', join(projectRoot, 'recorder/main.ts')],
		env: {
			...env,
			CLASSROOM_DATA_DIR: join(dir, 'data'),
			RECORDER_OPS_PORT: String(port),
			RECORDER_PROGRAM_SDP_DIR: sdpDir,
		},
		logFile: join(dir, 'recorder.log'),
		pidFile,
		ready: async () => {
			const response = await fetch(`http://127.0.0.1:${port}/healthz`);

			if (!response.ok) {
				throw new Error(`healthz answered ${response.status}`);
			}
		},
	});

	owned.unshift(recorder);

	const pid = Number(readFileSync(pidFile, 'utf8'));
	const idle = await measureWindow(pid);
	const publish = (type: string, classId: string) =>
		redis.publish(
			CLASS_LIFECYCLE_CHANNEL,
			JSON.stringify({ type, classId, at: new Date().toISOString() }),
		);

	for (const classId of classIds) {
		await db.updateTable('classes').set({ state: 'live' }).where('id', '=', classId).execute();
		await publish('class.started', classId);
	}

	// Past the start-up of every ffmpeg before measuring.
	await sleep(5000);

	const recording = await measureWindow(pid);
	const endedAt = Date.now();

	for (const classId of classIds) {
		await db.updateTable('classes').set({ state: 'ended' }).where('id', '=', classId).execute();
		await publish('class.ended', classId);
	}

	const playableMs: number[] = [];
	const pending = new Set(classIds);

	while (pending.size > 0 && Date.now() - endedAt < 120_000) {
		const rows = await db
			.selectFrom('recordings')
			.select(['class_id', 'state'])
			.where('class_id', 'in', [...pending])
			.execute();

		for (const row of rows) {
			if (row.state === 'ready' || row.state === 'failed') {
				pending.delete(row.class_id);
				playableMs.push(row.state === 'ready' ? Date.now() - endedAt : Number.NaN);
			}
		}

		await sleep(100);
	}

	redis.disconnect();
	await db.destroy();

	process.stdout.write(
		`${JSON.stringify(
			{
				benchmark: 'recorder',
				liveClasses: CLASSES,
				windowSeconds: WINDOW_SECONDS,
				sourcePicture: '640x360 VP8 + Opus over RTP',
				archivedHeight: config.recorder.videoHeight,
				baselineIdle: idle,
				recording,
				perLiveClass: {
					cpuPercent: Math.round(((recording.cpuPercent - idle.cpuPercent) / CLASSES) * 10) / 10,
					rssMiB: Math.round((recording.rssMiB - idle.rssMiB) / CLASSES),
				},
				classEndToPlayableVodMs: {
					max: Math.max(...playableMs),
					each: playableMs,
					notFinished: pending.size,
					targetMs: 10_000,
				},
			},
			null,
			'\t',
		)}\n`,
	);
}

try {
	await main();
} finally {
	for (const part of owned) {
		await part.stop();
	}

	rmSync(dir, { recursive: true, force: true });
}
