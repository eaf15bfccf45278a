// Where the recorder gets a class's program (teacher video or screen, plus
// the mixed audio of the teacher and the stage) from: the SFU through the
// program feed (SfuProgramSource), or an SDP someone else wrote (tests and
// benchmarks that feed the recorder from their own RTP source).

import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { z } from 'zod';

interface OpenProgramEvents {
	/** The program changed: a new SDP, or undefined while the class is off air. */
	change: [sdp: string | undefined];
}

/** One class's program, open for as long as the recorder takes it. */
export interface OpenProgram extends EventEmitter<OpenProgramEvents> {
	/** The SDP that tells ffmpeg where the RTP arrives and what it carries; undefined while off air. */
	readonly sdp: string | undefined;
	/** Asks the sender for a keyframe, so a (re)started ffmpeg can begin at once. */
	requestKeyFrame(): void;
	/**
	 * Stops taking the program. `finished` says the recording is over, so
	 * the sender may stop at once; otherwise a restarted recorder takes it
	 * up where this one left it. Idempotent.
	 */
	close(finished: boolean): Promise<void>;
}

export interface ProgramSource {
	/** Gets ready; before the first open(). */
	start(): Promise<void>;
	open(classId: string): Promise<OpenProgram>;
	/** Stops; the programs it opened belong to their recordings. */
	close(): Promise<void>;
}

const ClassId = z.uuid();

/** A program that never changes: one SDP whose sender needs no asking. */
class FixedProgram extends EventEmitter<OpenProgramEvents> implements OpenProgram {
	readonly sdp: string;

	constructor(sdp: string) {
		super();
		this.sdp = sdp;
	}

	requestKeyFrame(): void {
		// The sender decides its own keyframe interval.
	}

	close(): Promise<void> {
		return Promise.resolve();
	}
}

/**
 * Reads `<dir>/<classId>.sdp`. It cannot ask for a keyframe: the sender
 * decides its own keyframe interval, so a restarted ffmpeg waits for the
 * next one.
 */
export class SdpFileProgramSource implements ProgramSource {
	readonly #dir: string;

	constructor(dir: string) {
		this.#dir = dir;
	}

	start(): Promise<void> {
		return Promise.resolve();
	}

	close(): Promise<void> {
		return Promise.resolve();
	}

	async open(classId: string): Promise<OpenProgram> {
		return new FixedProgram(
			await readFile(join(this.#dir, `${ClassId.parse(classId)}.sdp`), 'utf8'),
		);
	}
}
