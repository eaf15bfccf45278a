// Signaling as the real thing: a separate `node --import tsx
// signaling/main.ts` process on a free port, and members that connect to it
// with join tokens, the way browsers do.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { io as connect, type Socket } from 'socket.io-client';

import {
	parseSigningKeys,
	signJoinToken,
	type JoinClaims,
	type SigningKey,
} from '../../common/auth/JoinToken.ts';
import { projectRoot } from '../../common/paths.ts';
import { mediasoupWorkerBin } from '../../infra/toolchain.ts';
import { freePort } from '../../infra/stack/ports.ts';
import { SIGNALING_NODE_FLAGS } from '../../signaling/nodeFlags.ts';
import type { Ack } from '../../signaling/protocol/errors.ts';
import type {
	ClientToServerEvents,
	ServerToClientEvents,
	Welcome,
} from '../../signaling/protocol/class.ts';

export type MemberSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export class SignalingProcess {
	readonly url: string;
	readonly #child: ChildProcess;
	readonly #logFile: string;
	readonly exited: Promise<void>;

	private constructor(url: string, child: ChildProcess, logFile: string) {
		this.url = url;
		this.#child = child;
		this.#logFile = logFile;
		this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
	}

	/** Starts a process with the environment of this test run plus `env`; resolves once healthy. */
	static async start(env: Record<string, string>, logDir: string): Promise<SignalingProcess> {
		const port = await freePort();
		const logFile = join(logDir, `signaling-${port}.log`);
		const log = openSync(logFile, 'a');
		const child = spawn(
			process.execPath,
			[...SIGNALING_NODE_FLAGS, '--import', 'tsx', 'signaling/main.ts'],
			{
				cwd: projectRoot,
				env: {
					...process.env,
					LOG_LEVEL: 'info',
					// Each process runs its own mediasoup worker, on a port of its own.
					SFU_WORKERS: '1',
					// Benchmarks start these processes without tests/run.ts's environment.
					MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN ?? mediasoupWorkerBin,
					SFU_RTC_PORT_BASE: String(await freePort()),
					...env,
					SIGNALING_PORT: String(port),
				},
				stdio: ['ignore', log, log],
			},
		);

		closeSync(log);

		const started = new SignalingProcess(`http://127.0.0.1:${port}`, child, logFile);
		const deadline = Date.now() + 30_000;

		while (Date.now() < deadline) {
			if (child.exitCode !== null) {
				break;
			}

			const healthy = await fetch(`${started.url}/healthz`).then(
				(response) => response.ok,
				() => false,
			);

			if (healthy) {
				return started;
			}

			await sleep(200);
		}

		child.kill('SIGKILL');
		throw new Error(`signaling did not start:\n${started.logTail()}`);
	}

	/** Starts two processes at once; if one fails, stops the other before throwing. */
	static async startPair(
		env: Record<string, string>,
		logDir: string,
	): Promise<[SignalingProcess, SignalingProcess]> {
		const [first, second] = await Promise.allSettled([
			SignalingProcess.start(env, logDir),
			SignalingProcess.start(env, logDir),
		]);

		if (first.status === 'fulfilled' && second.status === 'fulfilled') {
			return [first.value, second.value];
		}

		const reasons: unknown[] = [];

		for (const result of [first, second]) {
			if (result.status === 'fulfilled') {
				await result.value.stop();
			} else {
				reasons.push(result.reason);
			}
		}

		throw reasons[0];
	}

	get pid(): number | undefined {
		return this.#child.pid;
	}

	/** Ends the process the way a crash does: no goodbye, nothing cleaned up. */
	async kill(): Promise<void> {
		this.#child.kill('SIGKILL');
		await this.exited;
	}

	async stop(): Promise<void> {
		if (this.#child.exitCode === null && this.#child.signalCode === null) {
			this.#child.kill('SIGTERM');
			await this.exited;
		}
	}

	logTail(lines = 30): string {
		return readFileSync(this.#logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
	}
}

/** The key of this test run (tests/run.ts and the global setup set JOIN_TOKEN_KEYS). */
export function testSigningKey(): SigningKey {
	const [key] = parseSigningKeys(process.env.JOIN_TOKEN_KEYS ?? '');

	if (key === undefined) {
		throw new Error('JOIN_TOKEN_KEYS is not set');
	}

	return key;
}

export function memberClaims(
	classId: string,
	role: JoinClaims['role'],
	displayName: string,
): JoinClaims {
	return {
		classId,
		userId: randomUUID(),
		displayName,
		role,
		grants: { publish: role === 'teacher', moderate: role === 'teacher' },
	};
}

export interface Member {
	socket: MemberSocket;
	claims: JoinClaims;
	welcome: Welcome;
}

/** Connects a member and resolves once the class welcomed it. */
export async function joinClass(url: string, claims: JoinClaims): Promise<Member> {
	const token = signJoinToken(testSigningKey(), claims, 300);
	const socket: MemberSocket = connect(url, {
		auth: { token },
		transports: ['websocket'],
		reconnection: false,
	});
	const welcome = await new Promise<Welcome>((resolve, reject) => {
		socket.once('class:welcome', resolve);
		socket.once('connect_error', reject);
	});

	return { socket, claims, welcome };
}

/** Resolves with the next `event` whose payload passes `match`. */
export function next<Event extends keyof ServerToClientEvents>(
	socket: MemberSocket,
	event: Event,
	match: (payload: Parameters<ServerToClientEvents[Event]>[0]) => boolean = () => true,
	timeoutMs = 10_000,
): Promise<Parameters<ServerToClientEvents[Event]>[0]> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			socket.off(event, listener as never);
			reject(new Error(`no ${event} within ${timeoutMs} ms`));
		}, timeoutMs);
		const listener = (payload: Parameters<ServerToClientEvents[Event]>[0]): void => {
			if (match(payload)) {
				clearTimeout(timer);
				socket.off(event, listener as never);
				resolve(payload);
			}
		};

		socket.on(event, listener as never);
	});
}

/**
 * Sends a request and resolves with its ack. Untyped on purpose: tests also
 * send what the protocol forbids.
 */
export async function request(
	socket: MemberSocket,
	event: string,
	payload: unknown,
	timeoutMs = 10_000,
): Promise<Ack<unknown>> {
	const raw: Socket = socket;

	return (await raw.timeout(timeoutMs).emitWithAck(event, payload)) as Ack<unknown>;
}
