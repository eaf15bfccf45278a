// Analytics events: what signaling writes to MongoDB, one document per fact,
// for the app API to aggregate into per-class reports. Written off the hot
// path; the collection is append-only.

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
