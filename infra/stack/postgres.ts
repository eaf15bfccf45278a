import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import pg from 'pg';

import { ManagedProcess } from './ManagedProcess.ts';
import type { ServerOptions, StartedServer } from './ServerOptions.ts';

const DATABASE = 'classroom';
const USER = 'classroom';

/** The newest PostgreSQL server that Debian installed. */
function binDir(): string {
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root)
		? readdirSync(root)
				.map(Number)
				.filter((version) => Number.isInteger(version))
				.sort((a, b) => b - a)
		: [];
	const newest = versions[0];

	if (newest === undefined) {
		throw new Error(
			'PostgreSQL server binaries not found under /usr/lib/postgresql; run npm run setup',
		);
	}

	return join(root, String(newest), 'bin');
}

/**
 * PostgreSQL refuses to run as root, so under root the server runs as
 * Debian's `postgres` user, which then owns the data folder.
 */
function serverUser(): { uid: number; gid: number } | undefined {
	if (process.getuid?.() !== 0) {
		return undefined;
	}

	const id = (flag: string) =>
		Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());

	return { uid: id('-u'), gid: id('-g') };
}

export async function startPostgres(options: ServerOptions): Promise<StartedServer> {
	const dataDir = join(options.dir, 'postgres');
	const user = serverUser();
	const bin = binDir();

	if (!existsSync(join(dataDir, 'PG_VERSION'))) {
		initialize(bin, dataDir, options, user);
	}

	const url = `postgres://${USER}:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/${DATABASE}`;
	const settings = [
		'listen_addresses=127.0.0.1',
		`port=${options.port}`,
		// No Unix socket: the system's server owns the default socket folder.
		'unix_socket_directories=',
		'max_connections=200',
		...(options.durable ? [] : ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off']),
	];

	const server = await ManagedProcess.start({
		name: 'postgres',
		command: join(bin, 'postgres'),
		args: ['-D', dataDir, ...settings.flatMap((setting) => ['-c', setting])],
		...(user ?? {}),
		logFile: join(options.dir, 'logs', 'postgres.log'),
		pidFile: join(options.dir, 'run', 'postgres.pid'),
		ready: async () => {
			const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });

			try {
				await client.connect();
				await client.query('SELECT 1');
			} finally {
				await client.end().catch(() => undefined);
			}
		},
	});

	return { process: server, env: { DATABASE_URL: url }, address: `127.0.0.1:${options.port}` };
}

function initialize(
	bin: string,
	dataDir: string,
	options: ServerOptions,
	user: { uid: number; gid: number } | undefined,
): void {
	mkdirSync(dataDir, { recursive: true, mode: 0o700 });

	const passwordFile = join(options.dir, 'run', 'postgres.pwfile');

	writeFileSync(passwordFile, `${options.password}\n`, { mode: 0o600 });
	if (user !== undefined) {
		chownSync(dataDir, user.uid, user.gid);
		chownSync(passwordFile, user.uid, user.gid);
	}

	const run = (command: string, args: string[], input?: string): void => {
		try {
			execFileSync(command, args, {
				stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'],
				...(input === undefined ? {} : { input }),
				...(user ?? {}),
			});
		} catch (error) {
			const hint =
				user === undefined
					? ''
					: ` (the server runs as user postgres, so every folder above ${dataDir} must be searchable by it)`;

			throw new Error(
				`${command} failed${hint}: ${error instanceof Error ? error.message : 'unknown error'}`,
				{
					cause: error,
				},
			);
		}
	};

	run(join(bin, 'initdb'), [
		'-D',
		dataDir,
		`--username=${USER}`,
		`--pwfile=${passwordFile}`,
		'--auth=scram-sha-256',
		'--encoding=UTF8',
		'--locale=C.UTF-8',
		'--no-instructions',
	]);

	// initdb makes only the user's own database; the product's is made here,
	// once, through a short single-user session.
	run(
		join(bin, 'postgres'),
		['--single', '-D', dataDir, 'postgres'],
		`CREATE DATABASE ${DATABASE} OWNER ${USER};\n`,
	);
}
