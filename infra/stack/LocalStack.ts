import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { startFerretDb } from './ferretdb.ts';
import { startMinio } from './minio.ts';
import { pickPort } from './ports.ts';
import { startPostgres } from './postgres.ts';
import { startRedis } from './redis.ts';
import type { ServerOptions, StartedServer } from './ServerOptions.ts';

export type ServerName = 'postgres' | 'redis' | 'ferretdb' | 'minio';

const STARTERS: Record<ServerName, (options: ServerOptions) => Promise<StartedServer>> = {
	postgres: startPostgres,
	redis: startRedis,
	ferretdb: startFerretDb,
	minio: startMinio,
};

/** The setting that, when given, points at an outside server instead. */
export const EXTERNAL_SETTING: Record<ServerName, string> = {
	postgres: 'DATABASE_URL',
	redis: 'REDIS_URL',
	ferretdb: 'MONGODB_URL',
	minio: 'S3_ENDPOINT',
};

/** Ports `npm start` tries first, so its URLs stay the same between runs. */
export const DEFAULT_PORTS: Record<ServerName, number> = {
	postgres: 55432,
	redis: 56379,
	ferretdb: 57017,
	minio: 59000,
};

export interface LocalStackOptions {
	/** Everything the stack keeps: data, logs, pid files, its secret. */
	dir: string;
	durable: boolean;
	/** Ports to try first; a busy one is replaced by a free one. */
	preferredPorts?: Partial<Record<ServerName, number>>;
	/** Servers not to start, because the configuration names outside ones. */
	skip?: readonly ServerName[];
}

export interface RunningServer {
	name: ServerName;
	address: string;
	pid: number | undefined;
}

/**
 * The local PostgreSQL, Redis, FerretDB and MinIO of one data folder, each on
 * loopback and a port of its own. It never connects to a server it did not
 * start. One owner: whoever started it stops it.
 */
export class LocalStack {
	readonly env: Record<string, string>;
	readonly servers: RunningServer[];
	readonly #started: StartedServer[];
	readonly #stateFile: string;
	#stopping: Promise<void> | undefined;

	private constructor(started: Map<ServerName, StartedServer>, stateFile: string) {
		this.#started = [...started.values()];
		this.#stateFile = stateFile;
		this.env = Object.assign({}, ...this.#started.map((server) => server.env)) as Record<
			string,
			string
		>;
		this.servers = [...started].map(([name, server]) => ({
			name,
			address: server.address,
			pid: server.process.pid,
		}));
	}

	static async start(options: LocalStackOptions): Promise<LocalStack> {
		for (const sub of ['logs', 'run']) {
			mkdirSync(join(options.dir, sub), { recursive: true });
		}

		// Servers that run under a user of their own (PostgreSQL under root)
		// must be able to pass through the stack's folder.
		chmodSync(options.dir, 0o711);
		chmodSync(join(options.dir, 'run'), 0o711);

		const password = readOrCreateSecret(join(options.dir, 'secret'));
		const names = (Object.keys(STARTERS) as ServerName[]).filter(
			(name) => !options.skip?.includes(name),
		);
		const ports = new Map<ServerName, number>();

		// Picked one after the other so two servers never get the same free port.
		for (const name of names) {
			ports.set(name, await pickPort(options.preferredPorts?.[name]));
		}

		const results = await Promise.allSettled(
			names.map(async (name) => {
				const server = await STARTERS[name]({
					dir: options.dir,
					port: ports.get(name) ?? 0,
					password,
					durable: options.durable,
				});

				return [name, server] as const;
			}),
		);
		const started = new Map<ServerName, StartedServer>();
		const failures: string[] = [];

		for (const result of results) {
			if (result.status === 'fulfilled') {
				started.set(...result.value);
			} else {
				failures.push(
					result.reason instanceof Error ? result.reason.message : String(result.reason),
				);
			}
		}

		const stack = new LocalStack(started, join(options.dir, 'run', 'stack.json'));

		if (failures.length > 0) {
			await stack.stop();
			throw new Error(`local stack failed to start:\n${failures.join('\n')}`);
		}

		writeFileSync(
			stack.#stateFile,
			JSON.stringify({ servers: stack.servers, env: stack.env }, null, '\t'),
		);

		return stack;
	}

	/** Stops every server the stack started; safe to call more than once. */
	stop(): Promise<void> {
		this.#stopping ??= Promise.all(this.#started.map((server) => server.process.stop())).then(
			() => {
				rmSync(this.#stateFile, { force: true });
			},
		);

		return this.#stopping;
	}
}

function readOrCreateSecret(file: string): string {
	if (existsSync(file)) {
		return readFileSync(file, 'utf8').trim();
	}

	const secret = randomBytes(18).toString('base64url');

	writeFileSync(file, `${secret}\n`, { mode: 0o600 });

	return secret;
}
