import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { projectRoot } from '../../common/paths.ts';
import { EXIT_CONFIG } from '../../common/runService.ts';
import { freePort } from '../../infra/stack/ports.ts';

interface Run {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Runs `infra/start.ts` (what `npm start` runs after setup) with extra settings. */
function launch(env: NodeJS.ProcessEnv) {
	const child = spawn(process.execPath, ['--import', 'tsx', 'infra/start.ts'], {
		cwd: projectRoot,
		env: {
			...process.env,
			DATABASE_URL: '',
			REDIS_URL: '',
			MONGODB_URL: '',
			S3_ENDPOINT: '',
			...env,
		},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const run: Run = { code: null, stdout: '', stderr: '' };

	child.stdout.on('data', (chunk: Buffer) => (run.stdout += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));

	const exited = new Promise<Run>((resolve) =>
		child.once('exit', (code) => {
			run.code = code;
			resolve(run);
		}),
	);

	return { child, run, exited };
}

/** Processes whose command line mentions the folder. */
function processesUsing(dir: string): string[] {
	return readdirSync('/proc')
		.filter((entry) => /^\d+$/.test(entry))
		.flatMap((pid) => {
			try {
				const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');

				return cmdline.includes(dir) ? [`${pid} ${cmdline}`] : [];
			} catch {
				return [];
			}
		});
}

/** The pids of the local servers, from the state file the stack writes while it runs. */
function stackPids(dataDir: string): number[] {
	const state = JSON.parse(readFileSync(join(dataDir, 'stack', 'run', 'stack.json'), 'utf8')) as {
		servers: { pid: number }[];
	};

	return state.servers.map((server) => server.pid);
}

function isRunning(pid: number): boolean {
	try {
		process.kill(pid, 0);

		return true;
	} catch {
		return false;
	}
}

describe('npm start (infra/start.ts)', () => {
	const dataDir = mkdtempSync(join(tmpdir(), 'classroom-start-'));

	// PostgreSQL runs as its own user under root and must pass through.
	chmodSync(dataDir, 0o711);

	const launched: ReturnType<typeof launch>[] = [];

	afterAll(async () => {
		// A failed assertion must not leave a running classroom behind.
		for (const { child, exited } of launched) {
			if (child.exitCode === null) {
				child.kill('SIGINT');
				await exited;
			}
		}

		rmSync(dataDir, { recursive: true, force: true });
	});

	it.each([
		[
			{ SIGNALING_PORT: 'abc' },
			/^configuration error: SIGNALING_PORT: must be a port number \(got "abc"\)$/,
		],
		[
			{ DATABASE_URL: 'postgres://classroom@127.0.0.1:1/classroom' },
			/^configuration error: DATABASE_URL: cannot reach PostgreSQL at postgres:\/\/classroom@127\.0\.0\.1:1\/classroom: .*ECONNREFUSED/,
		],
		[
			{ REDIS_URL: 'redis://127.0.0.1:1' },
			/^configuration error: REDIS_URL: cannot reach Redis at/,
		],
	])('stops with one line naming a bad setting: %o', async (env, message) => {
		const run = await launch({ CLASSROOM_DATA_DIR: dataDir, ...env }).exited;

		expect(run.code).toBe(EXIT_CONFIG);
		expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
		expect(run.stderr.trimEnd()).toMatch(message);
	});

	it('brings up the stack and the services, and Ctrl-C leaves no process behind', async () => {
		const ports = {
			APP_API_PORT: await freePort(),
			SIGNALING_PORT: await freePort(),
			RECORDER_OPS_PORT: await freePort(),
		};
		const launchedStart = launch({
			CLASSROOM_DATA_DIR: dataDir,
			SFU_WORKERS: '1',
			SFU_RTC_PORT_BASE: String(await freePort()),
			...Object.fromEntries(Object.entries(ports).map(([key, port]) => [key, String(port)])),
		});
		const { child, run, exited } = launchedStart;

		launched.push(launchedStart);

		await new Promise<void>((resolve, reject) => {
			const poll = setInterval(() => {
				if (run.stdout.includes('ready; Ctrl-C stops everything')) {
					clearInterval(poll);
					resolve();
				} else if (run.code !== null) {
					clearInterval(poll);
					reject(new Error(`start exited early:\n${run.stdout}\n${run.stderr}`));
				}
			}, 100);
		});

		for (const port of Object.values(ports)) {
			const health = await fetch(`http://127.0.0.1:${port}/healthz`);
			const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);

			expect(health.status).toBe(200);
			expect(await metrics.text()).toContain('process_cpu_user_seconds_total');
		}

		const teacherUrl = /teacher +(http:\/\/\S+\/teacher\/#token=\S+)/.exec(run.stdout)?.[1];

		expect(run.stdout).toMatch(/stage +http:\/\/\S+\/stage\/#token=\S+/);
		expect(teacherUrl).toBeDefined();
		expect((await fetch(teacherUrl ?? '')).headers.get('content-type')).toMatch(/^text\/html/);
		expect(run.stdout).toMatch(/postgres +127\.0\.0\.1:\d+/);
		expect(run.stdout).toMatch(/minio +127\.0\.0\.1:\d+/);
		const serverPids = stackPids(dataDir);

		expect(serverPids).toHaveLength(4);
		expect(serverPids.filter(isRunning)).toEqual(serverPids);

		child.kill('SIGINT');

		const done = await exited;

		expect(done.code).toBe(0);
		expect(done.stdout).toContain('stopped');
		expect(processesUsing(dataDir)).toEqual([]);
		expect(serverPids.filter(isRunning)).toEqual([]);
		for (const port of Object.values(ports)) {
			await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
		}
	});
});
