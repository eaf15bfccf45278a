// `npm start`: the local stack and every service, in the foreground, until
// Ctrl-C stops all of it in order (services first, then their servers).

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { createS3Client, ensureBucket } from '../common/clients/s3.ts';
import { loadConfig, type Config } from '../common/config.ts';
import { ConfigError } from '../common/ConfigError.ts';
import { projectRoot } from '../common/paths.ts';
import { EXIT_CONFIG } from '../common/runService.ts';
import { DEFAULT_PORTS, LocalStack } from './stack/LocalStack.ts';
import { serversToStart } from './stack/localEnvironment.ts';
import { localJoinTokenKeys } from './stack/localJoinTokenKeys.ts';
import { isPortFree } from './stack/ports.ts';
import { parseSigningKeys } from '../common/auth/JoinToken.ts';
import { createDemoClass } from '../signaling/media/demoClass.ts';
import { SIGNALING_NODE_FLAGS } from '../signaling/nodeFlags.ts';
import { buildPages } from '../web/build.ts';
import { mediasoupWorkerBin } from './toolchain.ts';

interface ServiceSpec {
	name: string;
	entry: string;
	/** Node.js flags before the entry. */
	nodeFlags?: readonly string[];
	portSetting: string;
	port: (config: Config) => number;
}

const SERVICES: ServiceSpec[] = [
	{
		name: 'app-api',
		entry: 'app-api/main.ts',
		portSetting: 'APP_API_PORT',
		port: (c) => c.appApi.port,
	},
	{
		name: 'signaling',
		entry: 'signaling/main.ts',
		nodeFlags: SIGNALING_NODE_FLAGS,
		portSetting: 'SIGNALING_PORT',
		port: (c) => c.signaling.port,
	},
	{
		name: 'recorder',
		entry: 'recorder/main.ts',
		portSetting: 'RECORDER_OPS_PORT',
		port: (c) => c.recorder.opsPort,
	},
];

const out = (line: string): boolean => process.stdout.write(`${line}\n`);

/** Stops whatever has been started so far; set once the stack is up. */
let stopAll: ((code: number) => Promise<never>) | undefined;

async function main(): Promise<void> {
	// The machine's Node.js is 20; the pinned AWS SDK works on it (see README).
	process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
	const config = loadConfig();

	for (const service of SERVICES) {
		if (!(await isPortFree(service.port(config), '0.0.0.0'))) {
			throw new ConfigError(service.portSetting, `port ${service.port(config)} is already in use`);
		}
	}

	const local = await serversToStart(config);

	out(`starting local servers: ${local.join(', ') || 'none (all given by the environment)'}`);

	const stack = await LocalStack.start({
		dir: join(config.dataDir, 'stack'),
		durable: true,
		preferredPorts: DEFAULT_PORTS,
		skip: (['postgres', 'redis', 'ferretdb', 'minio'] as const).filter(
			(name) => !local.includes(name),
		),
	});
	const env: NodeJS.ProcessEnv = {
		...process.env,
		MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN ?? mediasoupWorkerBin,
		JOIN_TOKEN_KEYS:
			process.env.JOIN_TOKEN_KEYS || localJoinTokenKeys(join(config.dataDir, 'join-token.keys')),
		...stack.env,
	};
	const s3 = createS3Client(loadConfig(env).s3);

	await buildPages();

	await ensureBucket(s3, config.s3.bucket);
	s3.destroy();

	const logDir = join(config.dataDir, 'logs');

	mkdirSync(logDir, { recursive: true });

	const children = new Map<string, ChildProcess>();
	let stopping = false;

	stopAll = async (code: number): Promise<never> => {
		stopping = true;
		await Promise.all([...children.values()].map(stopChild));
		await stack.stop();
		out('stopped');
		process.exit(code);
	};

	const stop = stopAll;

	process.on('SIGINT', () => void stop(0));
	process.on('SIGTERM', () => void stop(0));

	for (const service of SERVICES) {
		const child = spawn(
			process.execPath,
			[...(service.nodeFlags ?? []), '--import', 'tsx', service.entry],
			{
				cwd: projectRoot,
				env,
				stdio: ['ignore', 'pipe', 'pipe'],
			},
		);
		const log = createWriteStream(join(logDir, `${service.name}.log`), { flags: 'a' });

		child.stdout.pipe(log);
		child.stderr.pipe(log);
		child.stderr.on('data', (chunk: Buffer) => {
			if (child.exitCode === null) {
				process.stderr.write(`[${service.name}] ${chunk.toString()}`);
			}
		});
		children.set(service.name, child);
		child.once('exit', (code) => {
			if (stopping) {
				return;
			}

			out(
				code === EXIT_CONFIG
					? `${service.name} refused its configuration (above)`
					: `${service.name} exited with code ${code ?? 'null'}; see ${join(logDir, `${service.name}.log`)}`,
			);
			void stop(1);
		});
	}

	await Promise.all(SERVICES.map((service) => waitHealthy(service, config)));

	out('');
	out('local servers:');
	for (const server of stack.servers) {
		out(`  ${server.name.padEnd(10)} ${server.address}`);
	}

	out('services:');
	for (const service of SERVICES) {
		out(
			`  ${service.name.padEnd(10)} http://${config.publicHost}:${service.port(config)}/healthz  /metrics`,
		);
	}

	const [demoKey] = parseSigningKeys(env.JOIN_TOKEN_KEYS ?? '');
	const redisUrl = env.REDIS_URL;

	if (demoKey !== undefined && redisUrl !== undefined) {
		const demo = await createDemoClass(
			demoKey,
			redisUrl,
			`http://${config.publicHost}:${config.signaling.port}`,
		);

		out(`demo class ${demo.classId}:`);
		out(`  teacher    ${demo.teacher}`);
		out(`  stage      ${demo.stage}`);
		out(`  audience   ${demo.audience}`);
	}

	out(`logs: ${logDir}`);
	out('ready; Ctrl-C stops everything');
}

async function waitHealthy(service: ServiceSpec, config: Config): Promise<void> {
	const url = `http://127.0.0.1:${service.port(config)}/healthz`;
	const deadline = Date.now() + 60_000;

	while (Date.now() < deadline) {
		try {
			if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) {
				return;
			}
		} catch {
			// Not listening yet.
		}

		await sleep(200);
	}

	throw new Error(`${service.name} did not report healthy at ${url} within 60 s`);
}

async function stopChild(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) {
		return;
	}

	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

	child.kill('SIGTERM');
	await Promise.race([exited, sleep(20_000).then(() => child.kill('SIGKILL'))]);
	await exited;
}

main().catch(async (error: unknown) => {
	const isConfig = error instanceof ConfigError;

	process.stderr.write(
		isConfig
			? `configuration error: ${error.message}\n`
			: `${error instanceof Error ? error.message : String(error)}\n`,
	);
	await stopAll?.(1);
	process.exit(isConfig ? EXIT_CONFIG : 1);
});
