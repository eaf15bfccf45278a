// Timeline events: what happened in a class (chat, polls, quizzes, stage
// changes, hand raises), one document per fact, so a replay can show it in
// step with the video. Signaling writes them off the hot path; the recorder
// reads them when it finalizes a recording. The collection is append-only.
//
// NOTE: the replay page bundles this file, so it imports nothing from Node.js.

import type { Db } from 'mongodb';
import { z } from 'zod';

export const TIMELINE_EVENTS_COLLECTION = 'timeline_events';

export const TimelineEventType = z.enum(['chat', 'poll', 'quiz', 'stage', 'hand_raise']);
export type TimelineEventType = z.infer<typeof TimelineEventType>;

/** The largest `data` as JSON; small, since every replay downloads all of a class's events. */
export const TIMELINE_DATA_MAX_CHARS = 4096;

const EventData = z
	.record(z.string(), z.unknown())
	.refine((data) => JSON.stringify(data).length <= TIMELINE_DATA_MAX_CHARS, {
		error: 'is larger than 4 KiB',
	});

/**
 * One stored event. `data` is any small object here, so a reader never
 * fails on an event written by another version; the shapes signaling
 * writes are the `TimelineEntry` below.
 */
export const TimelineEvent = z.strictObject({
	classId: z.uuid(),
	at: z.date(),
	type: TimelineEventType,
	data: EventData,
});
export type TimelineEvent = z.infer<typeof TimelineEvent>;

// --- what signaling writes in `data` ----------------------------------------
// Readers parse with these (unknown fields are stripped, not refused).

const Tally = z.object({ counts: z.array(z.number()), voters: z.number() });

/** A class chat message; private messages are never in the timeline. */
export const ChatMessageData = z.object({
	id: z.string(),
	userId: z.string(),
	displayName: z.string(),
	text: z.string(),
});
export type ChatMessageData = z.infer<typeof ChatMessageData>;

/** The teacher deleted the message with this id; a replay shows neither. */
export const ChatDeletedData = z.object({ deleted: z.string() });
export type ChatDeletedData = z.infer<typeof ChatDeletedData>;

export const PollOpenedData = z.object({
	phase: z.literal('opened'),
	pollId: z.string(),
	question: z.string(),
	options: z.array(z.string()),
	multiple: z.boolean(),
});
export type PollOpenedData = z.infer<typeof PollOpenedData>;

/** The final tally; the question is in the `opened` event of the same poll. */
export const PollClosedData = z.object({
	phase: z.literal('closed'),
	pollId: z.string(),
	tally: Tally,
});
export type PollClosedData = z.infer<typeof PollClosedData>;

export const QuizAskedData = z.object({
	phase: z.literal('asked'),
	questionId: z.string(),
	question: z.string(),
	options: z.array(z.string()),
	/** When answers stopped being taken (ms since epoch), as members were told. */
	closesAt: z.number(),
});
export type QuizAskedData = z.infer<typeof QuizAskedData>;

export const QuizClosedData = z.object({
	phase: z.literal('closed'),
	questionId: z.string(),
	/** The index of the right option. */
	correct: z.number(),
	tally: Tally,
});
export type QuizClosedData = z.infer<typeof QuizClosedData>;

export const StageData = z.object({
	userId: z.string(),
	/** Left out when the member was no longer present to be named. */
	displayName: z.string().optional(),
	onStage: z.boolean(),
});
export type StageData = z.infer<typeof StageData>;

export const HandRaiseData = z.object({ userId: z.string(), displayName: z.string() });
export type HandRaiseData = z.infer<typeof HandRaiseData>;

/** An event's type with its `data`, as signaling writes it and a replay reads it. */
export const TimelineEntry = z.discriminatedUnion('type', [
	z.object({ type: z.literal('chat'), data: z.union([ChatMessageData, ChatDeletedData]) }),
	z.object({
		type: z.literal('poll'),
		data: z.discriminatedUnion('phase', [PollOpenedData, PollClosedData]),
	}),
	z.object({
		type: z.literal('quiz'),
		data: z.discriminatedUnion('phase', [QuizAskedData, QuizClosedData]),
	}),
	z.object({ type: z.literal('stage'), data: StageData }),
	z.object({ type: z.literal('hand_raise'), data: HandRaiseData }),
]);
export type TimelineEntry = z.infer<typeof TimelineEntry>;

/**
 * The one index of the collection: every read selects one class in time
 * order. Both the writer (signaling) and the reader (recorder) ensure it
 * at start, under this one name, so either may come first.
 */
export async function ensureTimelineIndex(db: Db): Promise<void> {
	await db
		.collection(TIMELINE_EVENTS_COLLECTION)
		.createIndex({ classId: 1, at: 1 }, { name: 'class_at' }, {});
}
