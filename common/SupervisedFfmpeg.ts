import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

import type ffmpeg from 'fluent-ffmpeg';

import type { Logger } from './logger.ts';
import { childPids, commandLine, processesMentioning } from './procfs.ts';
import { whenUdpPortBound } from './udpPorts.ts';

export interface SupervisedFfmpegOptions {
	/**
	 * Builds the command for a start; `resuming` is true when a crashed run is
	 * being replaced, so the command can continue its output.
	 */
	build: (resuming: boolean) => ffmpeg.FfmpegCommand;
	/** A string only this process's command line holds (an output path), to find its pid. */
	marker: string;
	logger: Logger;
}

interface SupervisedFfmpegEvents {
	/** ffmpeg runs (again); whoever feeds it should send a keyframe now. */
	started: [pid: number | undefined];
	/** ffmpeg ended without being asked to; a restart follows. */
	crashed: [reason: string];
}

/** Further keyframe requests after the first, in case a keyframe was lost. */
const KEYFRAME_RETRY_MS = [1000, 2500];

/**
 * Asks an RTP sender for keyframes for an ffmpeg that has just started
 * reading RTP on `port`: as soon as ffmpeg has bound the port ('started'
 * fires at the spawn, a moment before), then twice more.
 */
export function requestKeyFramesWhenListening(port: number, request: () => void): void {
	void whenUdpPortBound(port).then(() => {
		request();
		for (const delay of KEYFRAME_RETRY_MS) {
			setTimeout(request, delay).unref();
		}
	});
}

const STOP_TIMEOUT_MS = 5000;
const MAX_RESTART_DELAY_MS = 5000;
const STDERR_LINES_KEPT = 20;

/**
 * One long-running ffmpeg (through fluent-ffmpeg) that is started again,
 * with a growing delay, whenever it ends without being asked to. The one
 * owner of the process: close() stops it and no restart follows.
 */
export class SupervisedFfmpeg extends EventEmitter<SupervisedFfmpegEvents> {
	readonly #options: SupervisedFfmpegOptions;
	#command: ffmpeg.FfmpegCommand | undefined;
	#exited: Promise<void> = Promise.resolve();
	#restarts = 0;
	#closed = false;

	constructor(options: SupervisedFfmpegOptions) {
		super();
		this.#options = options;
	}

	/** How often ffmpeg has been restarted after a crash. */
	get restarts(): number {
		return this.#restarts;
	}

	/** The pid of the running ffmpeg, found among this process's children. */
	get pid(): number | undefined {
		return childPids(process.pid).find((pid) => commandLine(pid).includes(this.#options.marker));
	}

	start(): void {
		this.#reapOrphans();
		this.#spawn(false);
	}

	/** Stops ffmpeg with SIGTERM (it finishes what it writes), SIGKILL if it hangs; idempotent. */
	async close(): Promise<void> {
		if (this.#closed) {
			return this.#exited;
		}

		this.#closed = true;
		this.#command?.kill('SIGTERM');

		const stopped = await Promise.race([
			this.#exited.then(() => true),
			sleep(STOP_TIMEOUT_MS).then(() => false),
		]);

		if (!stopped) {
			this.#command?.kill('SIGKILL');
			await this.#exited;
		}
	}

	/**
	 * Kills an ffmpeg a previous owner started for the same output and left
	 * behind when it was killed itself: it would hold the RTP ports.
	 */
	#reapOrphans(): void {
		for (const pid of processesMentioning(this.#options.marker)) {
			this.#options.logger.warn({ pid }, 'killing an orphaned ffmpeg of a previous run');
			process.kill(pid, 'SIGKILL');
		}
	}

	#spawn(resuming: boolean): void {
		const { logger } = this.#options;
		const command = this.#options.build(resuming);
		// The last lines ffmpeg wrote, for the crash log.
		const stderr: string[] = [];

		command.on('stderr', (line: string) => {
			stderr.push(line);
			if (stderr.length > STDERR_LINES_KEPT) {
				stderr.shift();
			}

			logger.trace({ line }, 'ffmpeg');
		});
		this.#command = command;
		this.#exited = new Promise<void>((resolve) => {
			command.on('start', (commandLine: string) => {
				const pid = this.pid;

				logger.debug({ commandLine }, 'ffmpeg command');
				logger.info({ pid, resuming }, 'ffmpeg started');
				this.emit('started', pid);
			});
			command.on('end', () => {
				resolve();
				this.#onExit('ffmpeg ended', stderr);
			});
			command.on('error', (error: Error) => {
				resolve();
				this.#onExit(error.message.split('\n')[0] ?? 'ffmpeg failed', stderr);
			});
		});
		command.run();
	}

	#onExit(reason: string, stderr: readonly string[]): void {
		if (this.#closed) {
			this.#options.logger.info('ffmpeg stopped');

			return;
		}

		this.#restarts++;
		this.#options.logger.error(
			{ reason, restarts: this.#restarts, stderr: stderr.slice(-5) },
			'ffmpeg crashed; restarting',
		);
		this.emit('crashed', reason);

		const delay = Math.min(200 * 2 ** Math.min(this.#restarts - 1, 5), MAX_RESTART_DELAY_MS);

		setTimeout(() => {
			if (!this.#closed) {
				this.#spawn(true);
			}
		}, delay).unref();
	}
}
