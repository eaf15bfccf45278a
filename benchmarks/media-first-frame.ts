// `npm run bench:media-first-frame`: how long a stage page joining a running
// class takes to show the teacher's first decoded frame, through mediasoup on
// loopback, in headless Chromium with fake devices. Baseline, in the same
// pages: the first frame of the page's own camera preview, which needs no
// network. Both are milliseconds from navigation start. Prints JSON.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { LocalStack } from '../infra/stack/LocalStack.ts';
import { randomJoinTokenKeys } from '../infra/stack/localJoinTokenKeys.ts';
import { mediasoupWorkerBin } from '../infra/toolchain.ts';
import { launchChromium } from '../tests/support/chromium.ts';
import { openPage } from '../tests/support/mediaPages.ts';
import { buildPages } from '../web/build.ts';

const JOINS = Number(process.env.BENCH_JOINS ?? 8);

function summary(values: number[]) {
	const sorted = [...values].sort((a, b) => a - b);
	const at = (q: number): number =>
		sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

	return {
		median: Math.round(at(0.5)),
		p90: Math.round(at(0.9)),
		min: Math.round(sorted[0] ?? NaN),
		max: Math.round(sorted.at(-1) ?? NaN),
	};
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
const stack = await startMediaStack();
const browser = await launchChromium();

try {
	const teacher = await stack.token('teacher', 'Teacher');

	await openPage(browser, stack, 'teacher', teacher.token);

	const remote: number[] = [];
	const preview: number[] = [];

	for (let run = 0; run < JOINS; run++) {
		const student = await stack.token('student', `Student ${run}`);

		await stack.putOnStage(student.userId);

		const page = await openPage(browser, stack, 'stage', student.token);
		const times = await page.waitForFunction(
			() => {
				const handle = window.classroom;

				return handle?.firstFrameMs !== undefined && handle.previewFirstFrameMs !== undefined
					? { remote: handle.firstFrameMs, preview: handle.previewFirstFrameMs }
					: undefined;
			},
			undefined,
			{ timeout: 20_000 },
		);
		const value = (await times.jsonValue()) as { remote: number; preview: number };

		remote.push(value.remote);
		preview.push(value.preview);
		await page.close();
	}

	process.stdout.write(
		`${JSON.stringify(
			{
				benchmark: 'media-first-frame',
				joins: JOINS,
				unit: 'ms from navigation start',
				stage_page_first_remote_frame: summary(remote),
				baseline_local_camera_preview_first_frame: summary(preview),
			},
			null,
			2,
		)}\n`,
	);
} finally {
	await browser.close();
	await stack.close();
	await local.stop();
	rmSync(dir, { recursive: true, force: true });
}
