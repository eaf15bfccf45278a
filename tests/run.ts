// `npm test`: format, lint and type checks, then every vitest project
// against one local stack started for the run, then a one-line summary.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startVitest } from 'vitest/node';

import { projectRoot } from '../common/paths.ts';
import { LocalStack } from '../infra/stack/LocalStack.ts';
import { randomJoinTokenKeys } from '../infra/stack/localJoinTokenKeys.ts';
import { mediasoupWorkerBin } from '../infra/toolchain.ts';

const out = (line: string): boolean => process.stdout.write(`${line}\n`);

const CHECKS: [string, string[]][] = [
	['format', ['prettier', '--check', '--log-level=warn', '.']],
	['lint', ['eslint', '--max-warnings', '0', '.']],
	['types', ['tsc', '--noEmit']],
];

function runChecks(): boolean {
	let ok = true;

	for (const [name, [command = '', ...args]] of CHECKS) {
		const started = Date.now();
		const result = spawnSync(join(projectRoot, 'node_modules', '.bin', command), args, {
			cwd: projectRoot,
			stdio: 'inherit',
		});
		const passed = result.status === 0;

		out(
			`check ${name}: ${passed ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)}s)`,
		);
		ok &&= passed;
	}

	return ok;
}

async function runTests(
	filters: string[],
): Promise<{ passed: number; failed: number; skipped: number }> {
	const dir = mkdtempSync(join(tmpdir(), 'classroom-test-'));
	const started = Date.now();
	const stack = await LocalStack.start({ dir, durable: false });

	out(`local stack up in ${((Date.now() - started) / 1000).toFixed(1)}s`);
	Object.assign(process.env, stack.env, {
		NODE_ENV: 'test',
		// The machine's Node.js is 20; the pinned SDK works on it (see README).
		AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
		MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN ?? mediasoupWorkerBin,
		JOIN_TOKEN_KEYS: randomJoinTokenKeys('test'),
	});

	try {
		const vitest = await startVitest('test', filters, { run: true, watch: false });
		const counts = { passed: 0, failed: 0, skipped: 0 };

		for (const module of vitest.state.getTestModules()) {
			for (const test of module.children.allTests()) {
				const state = test.result().state;

				if (state === 'passed') {
					counts.passed++;
				} else if (state === 'failed') {
					counts.failed++;
				} else {
					counts.skipped++;
				}
			}
		}

		// Errors outside any test (an unhandled rejection, a stream error
		// event) fail the run too, as vitest itself would.
		counts.failed += vitest.state.getUnhandledErrors().length;
		// A file that failed to load, or whose beforeAll or afterAll threw,
		// fails the run even though none of its tests is marked failed.
		counts.failed += vitest.state
			.getTestModules()
			.filter(
				(module) =>
					!module.ok() &&
					![...module.children.allTests()].some((test) => test.result().state === 'failed'),
			).length;
		await vitest.close();

		return counts;
	} finally {
		await stack.stop();
		rmSync(dir, { recursive: true, force: true });
	}
}

const filters = process.argv.slice(2);
const checksOk = filters.length > 0 || runChecks();
const counts = await runTests(filters);

out(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(checksOk && counts.failed === 0 && counts.passed > 0 ? 0 : 1);
