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
 * teacher publishes a camera or screen share and a microphone, and goes off
 * air when its media closes (the last peer left, or its router was lost).
 */
export class HlsBridge {
	readonly #options: HlsBridgeOptions;
	readonly #programs = new Map<string, ClassProgram>();
	#closed = false;

	constructor(options: HlsBridgeOptions) {
		this.#options = options;
		options.control.on('newproducer', (classId, producer) => {
			if (this.#closed || producer.appData.role !== 'teacher') {
				return;
			}

			this.#program(classId).addProducer(producer);
		});
		options.control.on('classclosed', (classId) => {
			const program = this.#programs.get(classId);

			this.#programs.delete(classId);
			void program?.close();
		});
	}

	/** A class's program, if it has one; for operators and tests. */
	program(classId: string): ClassProgram | undefined {
		return this.#programs.get(classId);
	}

	/** Closes every class's program; idempotent. */
	async close(): Promise<void> {
		this.#closed = true;

		const programs = [...this.#programs.values()];

		this.#programs.clear();
		await Promise.all(programs.map((program) => program.close()));
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
