// `npm run bench:hls`: the HLS program of a class on this machine. A teacher
// page publishes fake camera and microphone; an audience page plays the
// master playlist with hls.js. Reported:
// - glass-to-glass latency: the wall clock minus the program date-time of
//   what the audience page plays now, sampled every 500 ms (p50/p95);
// - the ladder's ffmpeg CPU (cores, from /proc) and its real-time factor
//   (media seconds written per wall second, from segment numbers);
// - origin throughput for a mix of one playlist request per four segment
//   requests, from concurrent clients on loopback.
// Baseline, in the same run: the same pipeline and page with plain 6 s
// segments (latency, CPU, real-time factor; no origin load).

import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { LocalStack } from '../infra/stack/LocalStack.ts';
import { randomJoinTokenKeys } from '../infra/stack/localJoinTokenKeys.ts';
import { mediasoupWorkerBin } from '../infra/toolchain.ts';
import { launchChromium } from '../tests/support/chromium.ts';
import { openPage } from '../tests/support/mediaPages.ts';
import { buildPages } from '../web/build.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const BASELINE_SECONDS = Number(process.env.BENCH_BASELINE_SECONDS ?? 20);
const ORIGIN_SECONDS = Number(process.env.BENCH_ORIGIN_SECONDS ?? 5);
const ORIGIN_CLIENTS = Number(process.env.BENCH_ORIGIN_CLIENTS ?? 32);
/** Linux's USER_HZ: the unit of utime and stime in /proc/<pid>/stat. */
const CLOCK_TICKS = 100;

function quantile(values: number[], q: number): number {
	const sorted = [...values].sort((a, b) => a - b);

	return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN);
}

/** CPU ticks (user + system) a process has used so far. */
function cpuTicks(pid: number): number {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');

	// utime and stime are fields 14 and 15, counted from 1 before the command.
	return Number(fields[11]) + Number(fields[12]);
}

/** The number of the newest segment a playlist lists. */
function newestSegment(playlist: string): number {
	const names = playlist.split('\n').filter((line) => line.endsWith('.ts'));

	return Number(/_(\d+)\.ts$/.exec(names.at(-1) ?? '')?.[1] ?? NaN);
}

const dir = mkdtempSync(join(tmpdir(), 'classroom-bench-'));
const local = await LocalStack.start({ dir, durable: false });

Object.assign(process.env, local.env, {
	MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN ?? mediasoupWorkerBin,
	JOIN_TOKEN_KEYS: randomJoinTokenKeys('bench'),
	AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

await buildPages();

// mediasoup reads MEDIASOUP_WORKER_BIN when it is first imported.
const { startMediaStack } = await import('../tests/support/mediaStack.ts');
const browser = await launchChromium();

/** One class on air with `segmentSeconds` segments, watched by one audience page. */
async function measure(segmentSeconds: number, seconds: number, withOrigin: boolean) {
	process.env.HLS_SEGMENT_SECONDS = String(segmentSeconds);

	const stack = await startMediaStack({ hls: true });
	const live = (file: string): string => `${stack.origin}/live/${stack.classId}/${file}`;
	const playlist = async (): Promise<string> => (await fetch(live('720p.m3u8'))).text();

	try {
		const teacher = await stack.token('teacher', 'Teacher');
		const teacherPage = await openPage(browser, stack, 'teacher', teacher.token);
		const viewer = await stack.token('audience', 'Viewer');
		const audience = await browser.context.newPage();

		await audience.goto(`${stack.origin}/audience/#token=${viewer.token}`);
		await audience.waitForFunction(() => (window.audience?.currentTime() ?? 0) > 2, undefined, {
			timeout: 90_000,
		});

		const pid = stack.hls?.program(stack.classId)?.ladder?.process.pid;

		if (pid === undefined) {
			throw new Error('the ladder runs no ffmpeg');
		}

		const startedAt = Date.now();
		const startTicks = cpuTicks(pid);
		const startSegment = newestSegment(await playlist());
		const latencies: number[] = [];

		while (Date.now() - startedAt < seconds * 1000) {
			const latency = await audience.evaluate(() => window.audience?.latencyMs());

			if (latency !== undefined) {
				latencies.push(latency);
			}

			await sleep(500);
		}

		const wallSeconds = (Date.now() - startedAt) / 1000;
		const cores = (cpuTicks(pid) - startTicks) / CLOCK_TICKS / wallSeconds;
		const mediaSeconds = (newestSegment(await playlist()) - startSegment) * segmentSeconds;
		const origin = withOrigin ? await originThroughput(live, await playlist()) : undefined;

		await audience.close();
		await teacherPage.close();

		return {
			segment_seconds: segmentSeconds,
			seconds: Math.round(wallSeconds),
			glass_to_glass_latency_ms: {
				p50: quantile(latencies, 0.5),
				p95: quantile(latencies, 0.95),
				samples: latencies.length,
			},
			ffmpeg_cpu_cores: Number(cores.toFixed(2)),
			real_time_factor: Number((mediaSeconds / wallSeconds).toFixed(2)),
			...(origin === undefined ? {} : { origin }),
		};
	} finally {
		await stack.close();
	}
}

try {
	const lowLatency = await measure(1, SECONDS, true);
	const baseline = await measure(6, BASELINE_SECONDS, false);

	process.stdout.write(
		`${JSON.stringify(
			{
				benchmark: 'hls',
				ladder: '720p/480p/240p H.264 + AAC',
				low_latency: lowLatency,
				baseline_plain_hls_6s_segments: baseline,
				reference_not_measured_here: { low_latency_hls_servers_latency_s: '2-5' },
			},
			null,
			2,
		)}\n`,
	);
} finally {
	await browser.close();
	await local.stop();
	rmSync(dir, { recursive: true, force: true });
}

/** Concurrent clients fetching one playlist per four segments. */
async function originThroughput(live: (file: string) => string, variant: string) {
	// The newest two only: older ones leave the window (and the disk) meanwhile.
	const segments = variant
		.split('\n')
		.filter((line) => line.endsWith('.ts'))
		.slice(-2);
	const deadline = Date.now() + ORIGIN_SECONDS * 1000;
	let requests = 0;
	let failures = 0;
	let bytes = 0;

	const client = async (index: number): Promise<void> => {
		for (let turn = index; Date.now() < deadline; turn++) {
			const file =
				turn % 5 === 0 ? '720p.m3u8' : (segments[turn % segments.length] ?? 'master.m3u8');
			const response = await fetch(live(file));
			const body = await response.arrayBuffer();

			requests++;
			bytes += body.byteLength;
			if (!response.ok) {
				failures++;
			}
		}
	};

	await Promise.all(Array.from({ length: ORIGIN_CLIENTS }, (_, index) => client(index)));

	return {
		clients: ORIGIN_CLIENTS,
		requests_per_second: Math.round(requests / ORIGIN_SECONDS),
		megabits_per_second: Math.round((bytes * 8) / 1e6 / ORIGIN_SECONDS),
		failed_requests: failures,
		mix: '1 playlist : 4 segments',
	};
}
