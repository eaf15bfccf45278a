import type { Redis } from 'ioredis';

import {
	CLASS_LIFECYCLE_CHANNEL,
	ClassLifecycleEvent,
	type ClassLifecycleType,
} from '../../common/events/ClassLifecycle.ts';
import type { Logger } from '../../common/logger.ts';

/**
 * Tells signaling, the HLS bridge and the recorder that a class changed
 * state, over Redis pub/sub. The database row is the truth; the message is
 * the nudge, so a subscriber that missed one reads the row on reconnect.
 */
export class ClassLifecyclePublisher {
	readonly #redis: Redis;
	readonly #logger: Logger;

	constructor(redis: Redis, logger: Logger) {
		this.#redis = redis;
		this.#logger = logger;
	}

	async publish(type: ClassLifecycleType, classId: string, at: Date): Promise<void> {
		const event = ClassLifecycleEvent.parse({ type, classId, at: at.toISOString() });
		const receivers = await this.#redis.publish(CLASS_LIFECYCLE_CHANNEL, JSON.stringify(event));

		this.#logger.info({ classId, type, receivers }, 'class lifecycle published');
	}
}
