// A class's timeline: chat, polls, quizzes, stage changes and hand raises,
// stored as they happen so a replay can show them in step with the video.
// The interactive side appends through Timeline; the recorder reads it at
// finalize and writes `timeline.json` beside the VOD.

import type { Collection, Db } from 'mongodb';
import { z } from 'zod';

import type { PlaylistSegment } from './playlist.ts';

export const TIMELINE_EVENTS_COLLECTION = 'timeline_events';

export const TimelineEventType = z.enum(['chat', 'poll', 'quiz', 'stage', 'hand_raise']);
export type TimelineEventType = z.infer<typeof TimelineEventType>;

/** What the event was about; small, since every replay downloads all of them. */
const EventData = z
	.record(z.string(), z.unknown())
	.refine((data) => JSON.stringify(data).length <= 4096, { error: 'is larger than 4 KiB' });

export const TimelineEvent = z.strictObject({
	classId: z.uuid(),
	at: z.date(),
	type: TimelineEventType,
	data: EventData,
});
export type TimelineEvent = z.infer<typeof TimelineEvent>;

/** One event as the replay sees it: seconds into the VOD. */
export interface ReplayEvent {
	offsetSeconds: number;
	type: TimelineEventType;
	data: Record<string, unknown>;
}

/** The document `timeline.json` holds. */
export interface ReplayTimeline {
	classId: string;
	/** Wall-clock time of the VOD's first frame. */
	recordingStartedAt: string;
	events: ReplayEvent[];
}

/** Appends to and reads a class's timeline in MongoDB; the collection is append-only. */
export class Timeline {
	readonly #events: Collection<TimelineEvent>;

	constructor(db: Db) {
		this.#events = db.collection<TimelineEvent>(TIMELINE_EVENTS_COLLECTION);
	}

	/** The index every read uses; call once at start-up. */
	async ensureIndex(): Promise<void> {
		await this.#events.createIndex({ classId: 1, at: 1 }, { name: 'class_at' }, {});
	}

	/** Records one event; throws a ZodError for a malformed one. */
	async append(event: TimelineEvent): Promise<void> {
		await this.#events.insertOne({ ...TimelineEvent.parse(event) });
	}

	/** A class's events in the order they happened. */
	async read(classId: string): Promise<TimelineEvent[]> {
		const documents = await this.#events
			.find({ classId }, { projection: { _id: 0 } })
			.sort({ at: 1 })
			.toArray();

		return documents.map((document) => TimelineEvent.parse(document));
	}
}

/**
 * Places events on the VOD's time axis by the wall-clock time ffmpeg
 * stamped on each segment, so a hole left by a recorder restart does not
 * shift what follows it. An event in a hole is shown where the video resumes.
 */
export function replayTimeline(
	classId: string,
	events: readonly TimelineEvent[],
	segments: readonly PlaylistSegment[],
): ReplayTimeline | undefined {
	const stamped: { start: number; end: number; offset: number }[] = [];
	let offset = 0;

	for (const segment of segments) {
		const start = segment.programDateTime?.getTime();

		if (start !== undefined) {
			stamped.push({ start, end: start + segment.duration * 1000, offset });
		}

		offset += segment.duration;
	}

	const first = stamped[0];

	if (first === undefined) {
		return undefined;
	}

	const toOffset = (at: number): number => {
		let position = 0;

		for (const segment of stamped) {
			if (at < segment.start) {
				break;
			}

			position = segment.offset + Math.min(at - segment.start, segment.end - segment.start) / 1000;
		}

		return Math.round(position * 1000) / 1000;
	};

	return {
		classId,
		recordingStartedAt: new Date(first.start).toISOString(),
		events: events.map((event) => ({
			offsetSeconds: toOffset(event.at.getTime()),
			type: event.type,
			data: event.data,
		})),
	};
}
