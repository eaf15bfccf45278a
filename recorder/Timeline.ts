// A class's timeline: chat, polls, quizzes, stage changes and hand raises,
// stored as they happen so a replay can show them in step with the video.
// Signaling appends through its write-behind buffer (signaling/class/
// ClassTimeline.ts); the recorder reads the events here at finalize and
// writes `timeline.json` beside the VOD. The schema is shared, in
// common/events/TimelineEvent.ts.

import type { Collection, Db } from 'mongodb';

import {
	ChatDeletedData,
	ChatMessageData,
	ensureTimelineIndex,
	TIMELINE_EVENTS_COLLECTION,
	TimelineEvent,
	type TimelineEventType,
} from '../common/events/TimelineEvent.ts';
import type { PlaylistSegment } from './playlist.ts';

export { TimelineEvent, TimelineEventType } from '../common/events/TimelineEvent.ts';

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
	readonly #db: Db;
	readonly #events: Collection<TimelineEvent>;

	constructor(db: Db) {
		this.#db = db;
		this.#events = db.collection<TimelineEvent>(TIMELINE_EVENTS_COLLECTION);
	}

	/** The index every read uses; call once at start-up. */
	async ensureIndex(): Promise<void> {
		await ensureTimelineIndex(this.#db);
	}

	/** Records one event; throws a ZodError for a malformed one. */
	async append(event: TimelineEvent): Promise<void> {
		await this.#events.insertOne({ ...TimelineEvent.parse(event) });
	}

	/**
	 * A class's events in the order they happened. Events of the same
	 * millisecond come in no particular order.
	 *
	 * NOTE: one document that does not parse fails the whole read, and with
	 * it the recording's finalize. Signaling checks every event against the
	 * schema before buffering it, so only another writer could store one;
	 * skipping it instead would need a logger here to say what was lost.
	 */
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
 *
 * A chat message the teacher deleted is left out, and so is the deletion
 * itself, so the deleted text never reaches `timeline.json`.
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
		events: withoutDeletedChat(events).map((event) => ({
			offsetSeconds: toOffset(event.at.getTime()),
			type: event.type,
			data: event.data,
		})),
	};
}

/** The events without deleted chat messages and without the deletions. */
function withoutDeletedChat(events: readonly TimelineEvent[]): TimelineEvent[] {
	const deleted = new Set(events.flatMap((event) => deletedMessageId(event) ?? []));

	return events.filter((event) => {
		if (event.type !== 'chat') {
			return true;
		}

		if (deletedMessageId(event) !== undefined) {
			return false;
		}

		const message = ChatMessageData.safeParse(event.data);

		return !(message.success && deleted.has(message.data.id));
	});
}

/** The id of the message a chat event deleted, if it is a deletion. */
function deletedMessageId(event: TimelineEvent): string | undefined {
	const deletion = event.type === 'chat' ? ChatDeletedData.safeParse(event.data) : undefined;

	return deletion?.success === true ? deletion.data.deleted : undefined;
}
