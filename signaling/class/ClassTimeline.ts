// The class's timeline as it happens: chat, polls, quizzes, stage changes and
// hand raises, buffered through the write-behind to MongoDB
// (`timeline_events`), where the recorder reads them to place them on the
// VOD. Every event is checked against the shared schema here, so a reader
// never meets one it cannot parse.

import { randomUUID } from 'node:crypto';

import type { ChainableCommander } from 'ioredis';

import {
	TimelineEvent,
	type StageData,
	type TimelineEntry,
} from '../../common/events/TimelineEvent.ts';
import type { Logger } from '../../common/logger.ts';
import type { Presence } from './Presence.ts';
import type { StageChange } from './Stage.ts';
import type { PendingWrite, WriteBehind } from './WriteBehind.ts';

export interface ClassTimelineOptions {
	buffer: WriteBehind;
	/** Names the members of stage changes the caller could not name. */
	presence: Presence;
	logger: Logger;
}

export class ClassTimeline {
	readonly #buffer: WriteBehind;
	readonly #presence: Presence;
	readonly #logger: Logger;

	constructor(options: ClassTimelineOptions) {
		this.#buffer = options.buffer;
		this.#presence = options.presence;
		this.#logger = options.logger.child({ component: 'timeline' });
	}

	/**
	 * Adds the event to a pipeline the caller sends with its own writes, so
	 * the caller's acknowledgement covers it and costs no extra round trip.
	 * The pipeline must be on the connection of the buffers (one prefix).
	 */
	addTo(pipeline: ChainableCommander, classId: string, at: number, entry: TimelineEntry): void {
		const write = this.#write(classId, at, entry);

		if (write !== undefined) {
			this.#buffer.addTo(pipeline, [write]);
		}
	}

	/** Buffers the event without making the caller wait; a lost event is logged, never thrown. */
	record(classId: string, at: number, entry: TimelineEntry): void {
		const write = this.#write(classId, at, entry);

		if (write === undefined) {
			return;
		}

		this.#buffer.append([write]).catch((error: unknown) => {
			this.#logger.warn({ err: error, classId, type: entry.type }, 'timeline event not buffered');
		});
	}

	/**
	 * Records a stage change (fire-and-log). Without `displayName` the member
	 * is named from presence; one who is no longer present stays unnamed.
	 */
	stageChanged(change: StageChange, at: number, displayName?: string): void {
		const { classId, userId, onStage } = change;

		void this.#name(classId, userId, displayName).then((name) => {
			const data: StageData =
				name === undefined ? { userId, onStage } : { userId, displayName: name, onStage };

			this.record(classId, at, { type: 'stage', data });
		});
	}

	async #name(
		classId: string,
		userId: string,
		known: string | undefined,
	): Promise<string | undefined> {
		if (known !== undefined) {
			return known;
		}

		try {
			const [member] = await this.#presence.members(classId, [userId]);

			return member?.displayName;
		} catch (error) {
			this.#logger.debug({ err: error, classId }, 'stage member not named');

			return undefined;
		}
	}

	/** The buffered form of one event, or undefined (logged) when it does not fit the schema. */
	#write(classId: string, at: number, entry: TimelineEntry): PendingWrite | undefined {
		const checked = TimelineEvent.safeParse({ classId, at: new Date(at), ...entry });

		if (!checked.success) {
			this.#logger.warn(
				{ classId, type: entry.type, issues: checked.error.issues.map((issue) => issue.message) },
				'timeline event left out: it does not fit the schema',
			);

			return undefined;
		}

		// Buffered as JSON, so `at` travels as milliseconds; reviveTimestamp
		// turns it back into a Date on the way to MongoDB.
		return { op: 'insert', doc: { _id: randomUUID(), ...checked.data, at } };
	}
}
