// The program feed: how a class's program (sfu/Program.ts) reaches a
// receiver in another process or on another host, the recorder, through
// Redis. The receiver offers a sink (the ports where its ffmpeg will
// listen); the process whose SFU holds the class taps the program to those
// ports and publishes the SDP that describes it; the receiver asks for a
// keyframe whenever its ffmpeg (re)starts. State lives in keys, so either
// side can restart and read where things stand; the channel only says
// "look again".

import { z } from 'zod';

/** Channel (after the deployment's key prefix) that tells either side to look again. */
export const PROGRAM_FEED_CHANNEL = 'program-feed';

/**
 * Port pairs a sink offers: the video and seven microphones, so a program
 * mixes at most seven (the teacher and a stage of six by default).
 */
export const SINK_PORT_PAIRS = 8;

/** A sink not refreshed for this long is gone: its receiver stopped or died. */
export const SINK_TTL_MS = 15_000;

/** How often a receiver refreshes its sink, and either side looks again unprompted. */
export const FEED_REFRESH_MS = 3000;

/** A feed not refreshed for this long is gone: the process that fed it died. */
export const FEED_TTL_SECONDS = 20;

/** Hash of a class's sinks: sink id -> ProgramSink as JSON. */
export const programSinksKey = (classId: string): string => `program:${classId}:sinks`;

/** What the SFU sends to one sink now: ProgramFeed as JSON. */
export const programFeedKey = (classId: string, sinkId: string): string =>
	`program:${classId}:feed:${sinkId}`;

/** A class's feed revisions, counted across processes so a newer feed always has a higher one. */
export const programRevisionKey = (classId: string): string => `program:${classId}:revision`;

const sinkId = z.string().regex(/^[a-z0-9-]{1,40}$/, 'must be a sink id');
const port = z.number().int().min(1024).max(65534);

/** Where a receiver listens: RTP on each port, RTCP on port + 1. */
export const ProgramSink = z.strictObject({
	host: z.union([z.ipv4(), z.ipv6()]),
	/** The first is for video, the rest for as many microphones as the mix takes. */
	ports: z.array(port).min(2).max(16),
	expiresAt: z.number().int(),
});
export type ProgramSink = z.infer<typeof ProgramSink>;

/** The program as it is sent to one sink: its SDP, or null while the class is off air. */
export const ProgramFeed = z.strictObject({
	revision: z.number().int().positive(),
	sdp: z.string().max(16_384).nullable(),
});
export type ProgramFeed = z.infer<typeof ProgramFeed>;

export const ProgramFeedMessage = z.discriminatedUnion('type', [
	/** A class's sinks changed. */
	z.strictObject({ type: z.literal('sinks'), classId: z.uuid() }),
	/** The feed of one sink changed. */
	z.strictObject({ type: z.literal('feed'), classId: z.uuid(), sinkId }),
	/** A receiver's ffmpeg started and needs a keyframe. */
	z.strictObject({ type: z.literal('keyframe'), classId: z.uuid(), sinkId }),
]);
export type ProgramFeedMessage = z.infer<typeof ProgramFeedMessage>;

/** Parses a stored or sent JSON value with `schema`; undefined when missing or malformed. */
export function parseFeedJson<Schema extends z.ZodType>(
	schema: Schema,
	text: string | null | undefined,
): z.output<Schema> | undefined {
	if (text === null || text === undefined) {
		return undefined;
	}

	try {
		const parsed = schema.safeParse(JSON.parse(text));

		return parsed.success ? parsed.data : undefined;
	} catch {
		return undefined;
	}
}
