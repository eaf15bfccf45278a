// Class lifecycle messages. The app API publishes one on the Redis channel
// below whenever a class starts, ends or is cancelled; signaling, the HLS
// bridge and the recorder subscribe to start or stop their part of the class.

import { z } from 'zod';

/** The Redis pub/sub channel (not prefixed: every service shares it). */
export const CLASS_LIFECYCLE_CHANNEL = 'class-lifecycle';

export const ClassLifecycleType = z.enum(['class.started', 'class.ended', 'class.cancelled']);
export type ClassLifecycleType = z.infer<typeof ClassLifecycleType>;

export const ClassLifecycleEvent = z.strictObject({
	type: ClassLifecycleType,
	classId: z.uuid(),
	/** When the change happened, ISO 8601 in UTC. */
	at: z.iso.datetime(),
});
export type ClassLifecycleEvent = z.infer<typeof ClassLifecycleEvent>;

/** Parses one message from the channel; throws a ZodError when it is not a lifecycle event. */
export function parseClassLifecycleEvent(message: string): ClassLifecycleEvent {
	return ClassLifecycleEvent.parse(JSON.parse(message));
}
