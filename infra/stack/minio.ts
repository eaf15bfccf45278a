import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { minioBin } from '../toolchain.ts';
import { ManagedProcess } from './ManagedProcess.ts';
import { freePort } from './ports.ts';
import type { ServerOptions, StartedServer } from './ServerOptions.ts';

const ACCESS_KEY = 'classroom';

/** MinIO as the local S3: one drive folder, credentials from the stack's secret. */
export async function startMinio(options: ServerOptions): Promise<StartedServer> {
	if (!existsSync(minioBin)) {
		throw new Error(`MinIO not built at ${minioBin}; run npm run setup`);
	}

	const dataDir = join(options.dir, 'minio');

	mkdirSync(dataDir, { recursive: true });

	const endpoint = `http://127.0.0.1:${options.port}`;
	const server = await ManagedProcess.start({
		name: 'minio',
		command: minioBin,
		args: [
			'server',
			dataDir,
			'--address',
			`127.0.0.1:${options.port}`,
			'--console-address',
			`127.0.0.1:${await freePort()}`,
			'--quiet',
			'--json',
		],
		env: {
			...process.env,
			MINIO_ROOT_USER: ACCESS_KEY,
			MINIO_ROOT_PASSWORD: options.password,
			MINIO_BROWSER: 'off',
			MINIO_UPDATE: 'off',
			MINIO_CALLHOME_ENABLE: 'off',
		},
		logFile: join(options.dir, 'logs', 'minio.log'),
		pidFile: join(options.dir, 'run', 'minio.pid'),
		ready: async () => {
			const response = await fetch(`${endpoint}/minio/health/ready`, {
				signal: AbortSignal.timeout(1000),
			});

			if (!response.ok) {
				throw new Error(`health answered ${response.status}`);
			}
		},
	});

	return {
		process: server,
		env: {
			S3_ENDPOINT: endpoint,
			S3_ACCESS_KEY_ID: ACCESS_KEY,
			S3_SECRET_ACCESS_KEY: options.password,
			S3_FORCE_PATH_STYLE: 'true',
		},
		address: `127.0.0.1:${options.port}`,
	};
}
