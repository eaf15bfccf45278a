// The life of one service process: configuration, logger, ops endpoint,
// start, and one ordered shutdown on SIGTERM or SIGINT.

import { loadConfig, type Config } from './config.ts';
import { ConfigError } from './ConfigError.ts';
import { createLogger, type Logger } from './logger.ts';
import { OpsServer } from './OpsServer.ts';

export interface ServiceContext {
	config: Config;
	logger: Logger;
	ops: OpsServer;
}

export interface RunningService {
	/** Where the service listens, reported in its `ready` log line. */
	listening: Record<string, string>;
	/** Stops taking work, finishes or hands off what it holds, then releases everything. */
	close(): Promise<void>;
}

const SHUTDOWN_TIMEOUT_MS = 15_000;

/** Exit code for a bad setting, so a launcher can tell it from a crash. */
export const EXIT_CONFIG = 78;

/**
 * Runs a service until a signal stops it. A ConfigError from configuration
 * or start-up ends the process with one line naming the setting.
 */
export async function runService(
	name: string,
	start: (context: ServiceContext) => Promise<RunningService>,
): Promise<void> {
	let config: Config;

	try {
		config = loadConfig();
	} catch (error) {
		exitOnConfigError(name, error);
	}

	const logger = createLogger(name, config.logLevel);
	const ops = new OpsServer(name, logger);
	let running: RunningService;

	try {
		running = await start({ config, logger, ops });
	} catch (error) {
		exitOnConfigError(name, error);
	}

	logger.info({ listening: running.listening }, 'ready');

	let stopping = false;
	const stop = (signal: NodeJS.Signals): void => {
		if (stopping) {
			return;
		}

		stopping = true;
		logger.info({ signal }, 'shutting down');
		setTimeout(() => {
			logger.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'shutdown timed out');
			process.exit(1);
		}, SHUTDOWN_TIMEOUT_MS).unref();

		running
			.close()
			.then(() => ops.close())
			.then(() => {
				logger.info('stopped');
				process.exit(0);
			})
			.catch((error: unknown) => {
				logger.error({ err: error }, 'shutdown failed');
				process.exit(1);
			});
	};

	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
}

function exitOnConfigError(service: string, error: unknown): never {
	if (error instanceof ConfigError) {
		process.stderr.write(`${service}: configuration error: ${error.message}\n`);
		process.exit(EXIT_CONFIG);
	}

	throw error;
}
