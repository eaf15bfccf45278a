// The recorder service as a child process (`node --import tsx recorder/main.ts`),
// on a test file's own database and bucket, so a test can kill it like a crash.

import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

import { projectRoot } from '../../common/paths.ts';
import { freePort } from '../../infra/stack/ports.ts';
import type { TestResources } from './resources.ts';

export interface RecorderProcessOptions {
	resources: TestResources;
	/** CLASSROOM_DATA_DIR: the local recordings live under it. */
	dataDir: string;
	/** Holds `<classId>.sdp`, the program of each class; unset, the SFU feeds the program. */
	sdpDir?: string;
	env?: NodeJS.ProcessEnv;
}

export class RecorderProcess {
	readonly child: ChildProcess;
	readonly opsUrl: string;
	/** Everything it logged, for a failing test's message. */
	log = '';
	readonly #exited: Promise<void>;

	private constructor(child: ChildProcess, opsUrl: string) {
		this.child = child;
		this.opsUrl = opsUrl;
		this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
		child.stdout?.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
		child.stderr?.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
	}

	/** Spawns the recorder and waits until /healthz answers 200. */
	static async start(options: RecorderProcessOptions): Promise<RecorderProcess> {
		const port = await freePort();
		const child = spawn(process.execPath, ['--import', 'tsx', 'recorder/main.ts'], {
			cwd: projectRoot,
			env: {
				...process.env,
				DATABASE_URL: options.resources.databaseUrl,
				S3_BUCKET: options.resources.bucket,
				MONGODB_DATABASE: options.resources.mongoDatabase,
				CLASSROOM_DATA_DIR: options.dataDir,
				RECORDER_OPS_PORT: String(port),
				RECORDER_PROGRAM_SDP_DIR: options.sdpDir ?? '',
				// The program feed's keys and channel, shared with this file's signaling.
				SIGNALING_REDIS_PREFIX: options.resources.redisPrefix,
				RECORDING_VIDEO_HEIGHT: '180',
				LOG_LEVEL: 'info',
				...options.env,
			},
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const recorder = new RecorderProcess(child, `http://127.0.0.1:${port}`);

		await recorder.#waitHealthy();

		return recorder;
	}

	/** SIGKILL, as a crash: its ffmpeg is left behind for the next recorder. */
	async kill(): Promise<void> {
		this.child.kill('SIGKILL');
		await this.#exited;
	}

	/** SIGTERM, and waits for the exit. */
	async stop(): Promise<void> {
		if (this.child.exitCode === null && this.child.signalCode === null) {
			this.child.kill('SIGTERM');
		}

		await this.#exited;
	}

	async #waitHealthy(): Promise<void> {
		const deadline = Date.now() + 60_000;

		while (Date.now() < deadline) {
			if (this.child.exitCode !== null) {
				throw new Error(`the recorder exited with ${this.child.exitCode}:\n${this.log}`);
			}

			const ok = await fetch(`${this.opsUrl}/healthz`, { signal: AbortSignal.timeout(1000) })
				.then((response) => response.ok)
				.catch(() => false);

			if (ok) {
				return;
			}

			await sleep(200);
		}

		throw new Error(`the recorder did not become healthy:\n${this.log}`);
	}
}
