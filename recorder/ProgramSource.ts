// Where the recorder gets a class's program (teacher video or screen, plus
// the mixed audio) from. The SFU's PlainTransport tap is meant to implement
// this; until it does, SdpFileProgramSource reads an SDP someone else wrote.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { z } from 'zod';

/** One class's program, open for as long as the recorder takes it. */
export interface OpenProgram {
	/** The SDP that tells ffmpeg where the RTP arrives and what it carries. */
	sdp: string;
	/** Asks the sender for a keyframe, so a (re)started ffmpeg can begin at once. */
	requestKeyFrame(): void;
	/** Stops sending the program to the recorder; idempotent. */
	close(): Promise<void>;
}

export interface ProgramSource {
	open(classId: string): Promise<OpenProgram>;
}

const ClassId = z.uuid();

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

	async open(classId: string): Promise<OpenProgram> {
		const sdp = await readFile(join(this.#dir, `${ClassId.parse(classId)}.sdp`), 'utf8');

		return {
			sdp,
			requestKeyFrame: () => undefined,
			close: () => Promise.resolve(),
		};
	}
}

/** The source when none is configured: every class is refused with a clear reason. */
export class MissingProgramSource implements ProgramSource {
	open(classId: string): Promise<OpenProgram> {
		return Promise.reject(
			new Error(
				`no program source for class ${classId}: set RECORDER_PROGRAM_SDP_DIR ` +
					'(the SFU program tap is not wired to the recorder yet)',
			),
		);
	}
}
