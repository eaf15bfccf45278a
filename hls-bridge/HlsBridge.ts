import type { S3Client } from '@aws-sdk/client-s3';

import type { Logger } from '../common/logger.ts';
import type { SfuControl } from '../sfu/SfuControl.ts';
import { ClassProgram } from './ClassProgram.ts';
import type { Rendition } from './Rendition.ts';

export interface HlsBridgeOptions {
	control: SfuControl;
	/** Each class writes to `<rootDir>/<classId>`; the origin serves this folder. */
	rootDir: string;
	renditions: readonly Rendition[];
	segmentSeconds: number;
	listSize: number;
	s3: { client: S3Client; bucket: string } | undefined;
	logger: Logger;
}

/**
 * The HLS side of the SFU in this process: a class goes on air when its
 * teacher first sends a picture or a microphone (sfu/Program.ts), stays on
 * air through every program change (the slate and silence stand in for
 * what is missing), and goes off air when its media closes (the last peer
 * left, or its router was lost).
 */
export class HlsBridge {
	readonly #options: HlsBridgeOptions;
	readonly #programs = new Map<string, ClassProgram>();
	/** Programs of ended classes still stopping; close() waits for them. */
	readonly #closing = new Set<Promise<void>>();
	/** Classes that have ended: they never go on air here again. */
	readonly #ended = new Set<string>();
	#closed = false;

	constructor(options: HlsBridgeOptions) {
		this.#options = options;
		options.control.on('programchange', (classId, program) => {
			if (!this.#closed && program !== undefined && !this.#ended.has(classId)) {
				this.#program(classId).start();
			}
		});
		options.control.on('classclosed', (classId) => {
			const program = this.#programs.get(classId);

			this.#programs.delete(classId);
			if (program !== undefined) {
				// Tracked in #closing; a failure is logged there.
				void this.#closeProgram(program);
			}
		});
	}

	/** A class's program, if it has one; for operators and tests. */
	program(classId: string): ClassProgram | undefined {
		return this.#programs.get(classId);
	}

	/**
	 * The class is over: its program goes off air for good, and its
	 * playlists end, so players stop at the last segment. Resolves once the
	 * last upload is done.
	 */
	async end(classId: string): Promise<void> {
		const program = this.#programs.get(classId);

		// NOTE: one id per class ended while this process ran; small enough to
		// keep for the process's life.
		this.#ended.add(classId);
		this.#programs.delete(classId);
		if (program !== undefined) {
			await this.#closeProgram(program, { ended: true });
		}
	}

	/** Closes every class's program; idempotent. */
	async close(): Promise<void> {
		this.#closed = true;

		const programs = [...this.#programs.values()];

		this.#programs.clear();
		for (const program of programs) {
			void this.#closeProgram(program);
		}

		await Promise.all(this.#closing);
	}

	#closeProgram(program: ClassProgram, options: { ended?: boolean } = {}): Promise<void> {
		const closing = program
			.close(options)
			.catch((error: unknown) => this.#options.logger.error({ err: error }, 'program close failed'))
			.finally(() => this.#closing.delete(closing));

		this.#closing.add(closing);

		return closing;
	}

	#program(classId: string): ClassProgram {
		let program = this.#programs.get(classId);

		if (program === undefined) {
			program = new ClassProgram({ ...this.#options, classId });
			this.#programs.set(classId, program);
		}

		return program;
	}
}
