// bench:signaling: one class of 10,000 socket.io members spread over two
// signaling processes and one Redis, driven from separate load processes.
// Measures the join storm, then 10 chat messages per second for 60 s, and
// the same clients and bytes against a plain `ws` broadcast server as the
// baseline. Prints the figures as JSON.
//
//   npm run bench:signaling -- --clients 10000 --seconds 60
//
// Members are LeanSocketIoClient (socket.io's protocol through its parsers);
// `--client socket.io-client` makes them the full socket.io-client. Two load
// processes by default (`--loaders`), one per core of the 2-core machine.

import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

import { LocalStack } from '../infra/stack/LocalStack.ts';
import { randomJoinTokenKeys } from '../infra/stack/localJoinTokenKeys.ts';
import {
	joinClass,
	memberClaims,
	request,
	SignalingProcess,
	type Member,
} from '../tests/support/signalingProcess.ts';
import {
	benchText,
	type FromLoader,
	type LoadMode,
	type SocketIoClientKind,
	type ToLoader,
} from './loadMessages.ts';
import type { FromBaseline, ToBaseline } from './wsBaseline.ts';

const { values } = parseArgs({
	options: {
		clients: { type: 'string', default: '10000' },
		seconds: { type: 'string', default: '60' },
		rate: { type: 'string', default: '10' },
		loaders: { type: 'string', default: '2' },
		tick: { type: 'string', default: '250' },
		client: { type: 'string', default: 'lean' },
	},
});
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const LOADERS = Number(values.loaders);
const SENDERS = 10;
const TICK_MS = Number(values.tick);
const CLIENT = parseClient(values.client);
/** Delivery is counted until it stops growing for this long (or everything arrived). */
const QUIET_MS = 5000;

function parseClient(value: string): SocketIoClientKind {
	if (value !== 'lean' && value !== 'socket.io-client') {
		throw new TypeError('--client is lean or socket.io-client');
	}

	return value;
}

const log = (line: string): boolean => process.stderr.write(`${line}\n`);

class Loader {
	readonly #child: ChildProcess;
	readonly #waiting: ((message: FromLoader) => void)[] = [];

	constructor() {
		this.#child = fork(join(import.meta.dirname, 'signalingLoad.ts'), [], {
			execArgv: ['--import', 'tsx'],
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		this.#child.on('message', (message: FromLoader) => this.#waiting.shift()?.(message));
	}

	ask<Type extends FromLoader['type']>(
		message: ToLoader,
		_expect: Type,
	): Promise<Extract<FromLoader, { type: Type }>> {
		return new Promise((resolve) => {
			this.#waiting.push((reply) => resolve(reply as Extract<FromLoader, { type: Type }>));
			this.#child.send(message);
		});
	}

	get pid(): number {
		return this.#child.pid ?? 0;
	}

	tell(message: ToLoader): void {
		this.#child.send(message);
	}

	kill(): void {
		this.#child.kill('SIGKILL');
	}
}

/** CPU seconds a process has used (user + system), from /proc. */
function cpuSeconds(pid: number): number {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');

	return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident and peak resident memory in MiB, from /proc. */
function memoryMiB(pid: number): { rss: number; peak: number } {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);

	return { rss: Math.round(field('VmRSS') / 1024), peak: Math.round(field('VmHWM') / 1024) };
}

function percentile(sorted: readonly number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function histogramPercentile(histogram: Map<number, number>, total: number, p: number): number {
	const target = (p / 100) * total;
	let seen = 0;

	for (const latency of [...histogram.keys()].sort((x, y) => x - y)) {
		seen += histogram.get(latency) ?? 0;
		if (seen >= target) {
			return latency;
		}
	}

	return NaN;
}

async function joinStorm(loaders: Loader[], mode: LoadMode, urls: string[], classId: string) {
	const started = Date.now();
	const replies = await Promise.all(
		loaders.map((loader, index) =>
			loader.ask(
				{
					type: 'join',
					mode,
					client: CLIENT,
					urls,
					classId,
					count: Math.floor(CLIENTS / LOADERS) + (index < CLIENTS % LOADERS ? 1 : 0),
				},
				'joined',
			),
		),
	);
	const joinMs = replies.flatMap((reply) => reply.joinMs).sort((x, y) => x - y);

	return {
		joined: joinMs.length,
		failed: replies.reduce((sum, reply) => sum + reply.failed, 0),
		timeToAllJoinedMs: Math.max(...replies.map((reply) => reply.lastJoinedAt)) - started,
		joinMsP50: percentile(joinMs, 50),
		joinMsP99: percentile(joinMs, 99),
	};
}

async function collect(loaders: Loader[], sent: number) {
	const report = () =>
		Promise.all(loaders.map((loader) => loader.ask({ type: 'report' }, 'report')));
	let reports = await report();
	let total = -1;
	let changedAt = Date.now();

	// Clients behind on their input are still receiving: wait until all has
	// arrived or nothing more comes.
	while (Date.now() - changedAt < QUIET_MS) {
		const now = reports.reduce((sum, value) => sum + value.received, 0);

		if (now >= sent * CLIENTS) {
			break;
		}

		if (now !== total) {
			total = now;
			changedAt = Date.now();
		}

		await sleep(500);
		reports = await report();
	}

	const histogram = new Map<number, number>();
	const fromServer = new Map<number, number>();
	let received = 0;

	for (const report of reports) {
		received += report.received;
		merge(histogram, report.histogram);
		merge(fromServer, report.fromServer);
	}

	return {
		messagesSent: sent,
		deliveriesExpected: sent * CLIENTS,
		deliveries: received,
		deliveryRatio: Number((received / Math.max(1, sent * CLIENTS)).toFixed(5)),
		latencyMsP50: histogramPercentile(histogram, received, 50),
		latencyMsP99: histogramPercentile(histogram, received, 99),
		latencyMsMax: Math.max(...histogram.keys()),
		fromServerAcceptMsP50: histogramPercentile(fromServer, received, 50),
		fromServerAcceptMsP99: histogramPercentile(fromServer, received, 99),
	};
}

function merge(into: Map<number, number>, from: Record<number, number>): void {
	for (const [latency, count] of Object.entries(from)) {
		into.set(Number(latency), (into.get(Number(latency)) ?? 0) + count);
	}
}

function serverUsage(pids: number[], cpuBefore: number[], wallSeconds: number) {
	const cpu = pids.reduce((sum, pid, index) => sum + cpuSeconds(pid) - (cpuBefore[index] ?? 0), 0);
	const memory = pids.map(memoryMiB);

	return {
		cpuPercentOfOneCore: Math.round((cpu / wallSeconds) * 100),
		rssMiB: memory.reduce((sum, value) => sum + value.rss, 0),
		peakRssMiB: memory.reduce((sum, value) => sum + value.peak, 0),
	};
}

/**
 * Garbage collection so far in the signaling processes, and the worst of
 * their event-loop delays since the last read (prom-client resets its delay
 * histogram at every read), from their metrics.
 */
async function serverMetrics(servers: SignalingProcess[]) {
	let gcSeconds = 0;
	let gcPauses = 0;
	let loopDelayP99Ms = 0;
	let loopDelayMaxMs = 0;

	for (const server of servers) {
		const metrics = await (await fetch(`${server.url}/metrics`)).text();

		for (const line of metrics.split('\n')) {
			const value = Number(line.slice(line.lastIndexOf(' ') + 1));

			if (line.startsWith('nodejs_gc_duration_seconds_sum{')) {
				gcSeconds += value;
			} else if (line.startsWith('nodejs_gc_duration_seconds_count{')) {
				gcPauses += value;
			} else if (line.startsWith('nodejs_eventloop_lag_p99_seconds{')) {
				loopDelayP99Ms = Math.max(loopDelayP99Ms, Math.round(value * 1000));
			} else if (line.startsWith('nodejs_eventloop_lag_max_seconds{')) {
				loopDelayMaxMs = Math.max(loopDelayMaxMs, Math.round(value * 1000));
			}
		}
	}

	return { gcSeconds, gcPauses, loopDelayP99Ms, loopDelayMaxMs };
}

async function socketIoPhase(loaders: Loader[], servers: SignalingProcess[]) {
	const classId = randomUUID();
	const urls = servers.map((server) => server.url);
	const pids = servers.map((server) => server.pid ?? 0);

	log(`socket.io: join storm of ${CLIENTS} clients over ${urls.length} processes`);

	const joinCpuBefore = pids.map(cpuSeconds);
	const joinStarted = Date.now();
	const joinFigures = {
		...(await joinStorm(loaders, 'socketio', urls, classId)),
		server: serverUsage(pids, joinCpuBefore, (Date.now() - joinStarted) / 1000),
	};

	log(`socket.io: joined ${JSON.stringify(joinFigures)}`);

	const senders: Member[] = [];

	for (let index = 0; index < SENDERS; index++) {
		const url = urls[index % urls.length] ?? '';

		senders.push(await joinClass(url, memberClaims(classId, 'student', `Sender ${index}`)));
	}

	for (const loader of loaders) {
		loader.tell({ type: 'measure' });
	}

	const cpuBefore = pids.map(cpuSeconds);
	const before = await serverMetrics(servers);
	const loaderCpuBefore = loaders.map((loader) => cpuSeconds(loader.pid));
	const started = Date.now();
	let sent = 0;
	let refused = 0;
	let unanswered = 0;
	const acks: Promise<void>[] = [];

	log(`socket.io: ${RATE} chat messages per second for ${SECONDS} s`);
	for (let seq = 0; seq < RATE * SECONDS; seq++) {
		const due = started + (seq * 1000) / RATE;

		await sleep(Math.max(0, due - Date.now()));

		const sender = senders[seq % SENDERS];

		if (sender !== undefined) {
			acks.push(
				request(sender.socket, 'chat:send', { text: benchText(Date.now(), seq) }, 120_000).then(
					(reply) => {
						if (reply.ok) {
							sent++;
						} else {
							refused++;
						}
					},
					() => {
						unanswered++;
					},
				),
			);
		}
	}

	await Promise.all(acks);

	const usage = serverUsage(pids, cpuBefore, (Date.now() - started) / 1000);
	const loaderCpu = serverUsage(
		loaders.map((loader) => loader.pid),
		loaderCpuBefore,
		(Date.now() - started) / 1000,
	).cpuPercentOfOneCore;
	const after = await serverMetrics(servers);
	const delivery = await collect(loaders, sent);

	for (const sender of senders) {
		sender.socket.close();
	}

	await Promise.all(loaders.map((loader) => loader.ask({ type: 'close' }, 'closed')));

	return {
		join: joinFigures,
		chat: { ...delivery, refused, unanswered },
		server: {
			...usage,
			// Both processes together, while the chat ran.
			gcPauses: after.gcPauses - before.gcPauses,
			gcSeconds: Number((after.gcSeconds - before.gcSeconds).toFixed(2)),
			// The worse of the two processes.
			eventLoopDelayP99Ms: after.loopDelayP99Ms,
			eventLoopDelayMaxMs: after.loopDelayMaxMs,
		},
		loadProcessesCpuPercentOfOneCore: loaderCpu,
	};
}

async function wsPhase(loaders: Loader[]) {
	const baseline = fork(join(import.meta.dirname, 'wsBaseline.ts'), [], {
		execArgv: ['--import', 'tsx'],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	const nextMessage = () =>
		new Promise<FromBaseline>((resolve) => baseline.once('message', resolve));

	try {
		const listening = await nextMessage();
		const port = listening.type === 'listening' ? listening.port : 0;
		const pid = baseline.pid ?? 0;

		log(`ws baseline: join storm of ${CLIENTS} clients`);

		const joinFigures = await joinStorm(loaders, 'ws', [`ws://127.0.0.1:${port}`], '');

		for (const loader of loaders) {
			loader.tell({ type: 'measure' });
		}

		const cpuBefore = [cpuSeconds(pid)];
		const loaderCpuBefore = loaders.map((loader) => cpuSeconds(loader.pid));
		const started = Date.now();
		const done = nextMessage();

		baseline.send({
			type: 'chat',
			rate: RATE,
			seconds: SECONDS,
			tickMs: TICK_MS,
		} satisfies ToBaseline);

		const finished = await done;

		const usage = serverUsage([pid], cpuBefore, (Date.now() - started) / 1000);
		const loaderCpu = serverUsage(
			loaders.map((loader) => loader.pid),
			loaderCpuBefore,
			(Date.now() - started) / 1000,
		).cpuPercentOfOneCore;
		const delivery = await collect(loaders, finished.type === 'done' ? finished.sent : 0);

		await Promise.all(loaders.map((loader) => loader.ask({ type: 'close' }, 'closed')));

		return {
			join: joinFigures,
			chat: delivery,
			server: usage,
			loadProcessesCpuPercentOfOneCore: loaderCpu,
		};
	} finally {
		baseline.kill('SIGTERM');
	}
}

async function main(): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'bench-signaling-'));
	const stack = await LocalStack.start({ dir, durable: false, skip: ['postgres', 'minio'] });
	const keys = randomJoinTokenKeys('bench');

	process.env.JOIN_TOKEN_KEYS = keys;

	const env = {
		...stack.env,
		JOIN_TOKEN_KEYS: keys,
		LOG_LEVEL: 'warn',
		SIGNALING_TICK_MS: String(TICK_MS),
		SIGNALING_REDIS_PREFIX: 'bench:',
	};
	const servers: SignalingProcess[] = [];
	const loaders = Array.from({ length: LOADERS }, () => new Loader());

	try {
		servers.push(
			...(await Promise.all([SignalingProcess.start(env, dir), SignalingProcess.start(env, dir)])),
		);

		const socketIo = await socketIoPhase(loaders, servers);
		const baseline = await wsPhase(loaders);
		const ratio = (a: number, b: number) => Number((a / Math.max(1, b)).toFixed(2));

		process.stdout.write(
			`${JSON.stringify(
				{
					clients: CLIENTS,
					loadProcesses: LOADERS,
					signalingProcesses: servers.length,
					chatPerSecond: RATE,
					seconds: SECONDS,
					tickMs: TICK_MS,
					socketIoClient: CLIENT,
					socketIo,
					wsBaseline: baseline,
					// The issue's targets, read off the socket.io figures above.
					targets: {
						allJoinedWithin30s:
							socketIo.join.failed === 0 && socketIo.join.timeToAllJoinedMs < 30_000,
						deliveryComplete:
							socketIo.chat.refused === 0 &&
							socketIo.chat.unanswered === 0 &&
							socketIo.chat.deliveries === socketIo.chat.deliveriesExpected,
						latencyP99Under500Ms: socketIo.chat.latencyMsP99 < 500,
					},
					socketIoOverWs: {
						latencyP50: ratio(socketIo.chat.latencyMsP50, baseline.chat.latencyMsP50),
						latencyP99: ratio(socketIo.chat.latencyMsP99, baseline.chat.latencyMsP99),
						serverCpu: ratio(
							socketIo.server.cpuPercentOfOneCore,
							baseline.server.cpuPercentOfOneCore,
						),
						serverRss: ratio(socketIo.server.rssMiB, baseline.server.rssMiB),
						timeToAllJoined: ratio(
							socketIo.join.timeToAllJoinedMs,
							baseline.join.timeToAllJoinedMs,
						),
					},
				},
				null,
				2,
			)}\n`,
		);
	} finally {
		for (const loader of loaders) {
			loader.kill();
		}

		await Promise.all(servers.map((server) => server.stop()));
		await stack.stop();
		rmSync(dir, { recursive: true, force: true });
	}
}

await main();
