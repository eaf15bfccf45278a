import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ProcessSpec {
	/** Short name for messages: "postgres", "redis", ... */
	name: string;
	command: string;
	args: string[];
	env?: NodeJS.ProcessEnv;
	uid?: number;
	gid?: number;
	/** Where stdout and stderr go. */
	logFile: string;
	/** Where the pid is kept, so a later run can find a process orphaned by a crash. */
	pidFile: string;
	/** Resolves once the server answers; called repeatedly until then. */
	ready: () => Promise<void>;
	readyTimeoutMs?: number;
}

const STOP_TIMEOUT_MS = 10_000;

/**
 * One server process of the local stack: started detached in its own process
 * group (so Ctrl-C reaches the launcher, which stops things in order), ready
 * once it answers, and stopped with SIGTERM, then SIGKILL.
 */
export class ManagedProcess {
	readonly name: string;
	readonly #child: ChildProcess;
	readonly #pidFile: string;
	readonly #exited: Promise<number | null>;
	#stopping: Promise<void> | undefined;

	private constructor(spec: ProcessSpec, child: ChildProcess) {
		this.name = spec.name;
		this.#child = child;
		this.#pidFile = spec.pidFile;
		this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
	}

	static async start(spec: ProcessSpec): Promise<ManagedProcess> {
		reapOrphan(spec.pidFile, spec.command);

		const log = openSync(spec.logFile, 'a');
		const child = spawn(spec.command, spec.args, {
			env: spec.env ?? process.env,
			stdio: ['ignore', log, log],
			detached: true,
			...(spec.uid === undefined ? {} : { uid: spec.uid }),
			...(spec.gid === undefined ? {} : { gid: spec.gid }),
		});

		closeSync(log);
		await new Promise<void>((resolve, reject) => {
			child.once('spawn', resolve);
			child.once('error', reject);
		});
		writeFileSync(spec.pidFile, `${child.pid ?? ''}\n`);

		const managed = new ManagedProcess(spec, child);

		try {
			await managed.#waitUntilReady(spec);
		} catch (error) {
			await managed.stop();
			throw error;
		}

		return managed;
	}

	get pid(): number | undefined {
		return this.#child.pid;
	}

	/** Resolves with the exit code when the process ends, for whatever reason. */
	get exited(): Promise<number | null> {
		return this.#exited;
	}

	/** Stops the process; safe to call more than once. */
	stop(): Promise<void> {
		this.#stopping ??= this.#stop();

		return this.#stopping;
	}

	async #stop(): Promise<void> {
		if (this.#child.exitCode === null && this.#child.signalCode === null) {
			this.#child.kill('SIGTERM');

			const timedOut = await Promise.race([
				this.#exited.then(() => false),
				sleep(STOP_TIMEOUT_MS).then(() => true),
			]);

			if (timedOut) {
				this.#child.kill('SIGKILL');
				await this.#exited;
			}
		}

		rmSync(this.#pidFile, { force: true });
	}

	async #waitUntilReady(spec: ProcessSpec): Promise<void> {
		const deadline = Date.now() + (spec.readyTimeoutMs ?? 30_000);
		let lastError: unknown;
		const state = { exited: false };

		void this.#exited.then(() => {
			state.exited = true;
		});

		while (Date.now() < deadline) {
			if (state.exited) {
				throw new Error(
					`${spec.name} exited during start-up; see ${spec.logFile}\n${tail(spec.logFile)}`,
				);
			}

			try {
				await spec.ready();

				return;
			} catch (error) {
				lastError = error;
			}

			await sleep(100);
		}

		const reason = lastError instanceof Error ? lastError.message : String(lastError);

		throw new Error(`${spec.name} did not become ready (${reason}); see ${spec.logFile}`);
	}
}

function tail(file: string, lines = 15): string {
	try {
		return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
	} catch {
		return '';
	}
}

/**
 * Kills a process a previous run started and left behind (its launcher was
 * killed), but only when the pid still runs the same program: a pid reused by
 * anything else is left alone.
 */
function reapOrphan(pidFile: string, command: string): void {
	if (!existsSync(pidFile)) {
		return;
	}

	const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);

	rmSync(pidFile, { force: true });
	if (!Number.isInteger(pid) || pid <= 0) {
		return;
	}

	let cmdline: string;

	try {
		cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
	} catch {
		return;
	}

	// Some servers rewrite their title (redis-server adds its address), so
	// the program is matched as a prefix.
	if (cmdline.startsWith(command)) {
		process.kill(-pid, 'SIGKILL');
	}
}
