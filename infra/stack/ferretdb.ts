import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { MongoClient } from 'mongodb';

import { ferretdbBin } from '../toolchain.ts';
import { ManagedProcess } from './ManagedProcess.ts';
import { freePort } from './ports.ts';
import type { ServerOptions, StartedServer } from './ServerOptions.ts';

/** FerretDB 1.x on its SQLite backend: the MongoDB wire protocol, no extension needed. */
export async function startFerretDb(options: ServerOptions): Promise<StartedServer> {
	if (!existsSync(ferretdbBin)) {
		throw new Error(`FerretDB not built at ${ferretdbBin}; run npm run setup`);
	}

	const dataDir = join(options.dir, 'ferretdb');

	mkdirSync(dataDir, { recursive: true });

	const url = `mongodb://127.0.0.1:${options.port}/`;
	const server = await ManagedProcess.start({
		name: 'ferretdb',
		command: ferretdbBin,
		args: [
			'--handler=sqlite',
			`--sqlite-url=file:${dataDir}/`,
			`--state-dir=${dataDir}`,
			`--listen-addr=127.0.0.1:${options.port}`,
			// Its debug listener defaults to a fixed port; give it a free one.
			`--debug-addr=127.0.0.1:${await freePort()}`,
			'--telemetry=disable',
			'--log-format=json',
			'--log-level=WARN',
		],
		logFile: join(options.dir, 'logs', 'ferretdb.log'),
		pidFile: join(options.dir, 'run', 'ferretdb.pid'),
		ready: async () => {
			const client = new MongoClient(url, { serverSelectionTimeoutMS: 1000 });

			try {
				await client.connect();
				await client.db('admin').command({ ping: 1 });
			} finally {
				await client.close();
			}
		},
	});

	return { process: server, env: { MONGODB_URL: url }, address: `127.0.0.1:${options.port}` };
}
