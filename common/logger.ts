import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/**
 * The root logger of one process: JSON lines on stdout, the service name on
 * every line. Children add `{ classId, peerId }` and the like.
 */
export function createLogger(service: string, level: LevelWithSilent): Logger {
	return pino({
		level,
		base: { service, pid: process.pid },
		timestamp: pino.stdTimeFunctions.isoTime,
		redact: {
			paths: ['*.password', '*.token', '*.secretAccessKey', '*.authorization'],
			censor: '[redacted]',
		},
	});
}
