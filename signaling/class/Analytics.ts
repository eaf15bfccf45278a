// Analytics events (join, leave, chat, answer, hand raise) for the API to
// aggregate later, written to MongoDB through a write-behind buffer so that
// recording them never slows a member down.

import { randomUUID } from 'node:crypto';

import type { Document } from 'mongodb';

import {
	ANALYTICS_EVENTS_COLLECTION,
	type AnalyticsEvent,
} from '../../common/events/AnalyticsEvent.ts';
import type { Logger } from '../../common/logger.ts';
import type { WriteBehind } from './WriteBehind.ts';

export type { AnalyticsEvent };

export const ANALYTICS_COLLECTION = ANALYTICS_EVENTS_COLLECTION;

export class Analytics {
	readonly #buffer: WriteBehind;
	readonly #logger: Logger;

	constructor(buffer: WriteBehind, logger: Logger) {
		this.#buffer = buffer;
		this.#logger = logger.child({ component: 'analytics' });
	}

	/** Records an event without making the caller wait; a lost event is logged, never thrown. */
	record(event: AnalyticsEvent): void {
		const doc = { _id: randomUUID(), ...event, at: event.at.getTime() };

		this.#buffer.append([{ op: 'insert', doc }]).catch((error: unknown) => {
			this.#logger.warn({ err: error, type: event.type }, 'analytics event not buffered');
		});
	}
}

/** Turns the buffered JSON form back into the stored one (`at` as a Date). */
export function reviveTimestamp(doc: Document & { _id: string }): Document & { _id: string } {
	const at: unknown = doc.at;

	return typeof at === 'number' ? { ...doc, at: new Date(at) } : doc;
}
