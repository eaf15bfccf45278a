// Brings the local stack up once for a test run, unless the environment
// already points at one (tests/run.ts starts it before vitest, so the lint
// and type checks and the tests share nothing but the servers).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { mediasoupWorkerBin } from '../../infra/toolchain.ts';
import { randomJoinTokenKeys } from '../../infra/stack/localJoinTokenKeys.ts';
import { LocalStack } from '../../infra/stack/LocalStack.ts';

export default async function setup(): Promise<() => Promise<void>> {
	process.env.MEDIASOUP_WORKER_BIN ??= mediasoupWorkerBin;
	process.env.NODE_ENV ??= 'test';
	process.env.JOIN_TOKEN_KEYS ??= randomJoinTokenKeys('test');
	process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

	if (process.env.DATABASE_URL !== undefined) {
		return async () => undefined;
	}

	const dir = mkdtempSync(join(tmpdir(), 'classroom-test-'));
	const stack = await LocalStack.start({ dir, durable: false });

	Object.assign(process.env, stack.env);

	return async () => {
		await stack.stop();
		rmSync(dir, { recursive: true, force: true });
	};
}
