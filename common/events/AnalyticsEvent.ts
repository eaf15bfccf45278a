// Analytics events: what signaling writes to MongoDB, one document per fact,
// for the app API to aggregate into per-class reports. Written off the hot
// path; the collection is append-only.

import type { Db } from 'mongodb';
import { z } from 'zod';

export const ANALYTICS_EVENTS_COLLECTION = 'analytics_events';

export const AnalyticsEventType = z.enum(['join', 'leave', 'chat', 'answer', 'hand_raise']);
export type AnalyticsEventType = z.infer<typeof AnalyticsEventType>;

export const AnalyticsEvent = z.strictObject({
	classId: z.uuid(),
	userId: z.uuid(),
	type: AnalyticsEventType,
	at: z.date(),
	/** The poll or quiz answered; set on `answer`. */
	pollId: z.string().min(1).max(64).optional(),
	/** The question of a multi-question quiz; set on `answer` when there is one. */
	questionId: z.string().min(1).max(64).optional(),
});
export type AnalyticsEvent = z.infer<typeof AnalyticsEvent>;

/**
 * The one index of the collection: every analytics query selects one class
 * and some event types. Both the writer (signaling) and the reader (app
 * API) ensure it at start, under this one name, so either may come first.
 */
export async function ensureAnalyticsIndex(db: Db): Promise<void> {
	await db
		.collection(ANALYTICS_EVENTS_COLLECTION)
		.createIndex({ classId: 1, type: 1, at: 1 }, { name: 'class_type_at' }, {});
}
