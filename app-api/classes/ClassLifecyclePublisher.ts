import type { Redis } from 'ioredis';

import {
	CLASS_LIFECYCLE_CHANNEL,
	ClassLifecycleEvent,
	type ClassLifecycleType,
} from '../../common/events/ClassLifecycle.ts';
import type { Logger } from '../../common/logger.ts';

const PUBLISH_TIMEOUT_MS = 2000;

/**
 * Tells signaling, the HLS bridge and the recorder that a class changed
 * state, over Redis pub/sub. The database row is the truth and the message
 * the nudge: a subscriber that missed one reads the row when it reconnects.
 */
export class ClassLifecyclePublisher {
	readonly #redis: Redis;
	readonly #logger: Logger;

	constructor(redis: Redis, logger: Logger) {
		this.#redis = redis;
		this.#logger = logger;
	}

	/**
	 * Publishes one change. Never throws: the change is already committed, so
	 * a Redis outage is logged rather than turned into a failed request that
	 * the client would retry against a class that has moved on.
	 */
	async publish(type: ClassLifecycleType, classId: string, at: Date): Promise<void> {
		const event = ClassLifecycleEvent.parse({ type, classId, at: at.toISOString() });
		const logger = this.#logger.child({ classId, type });

		try {
			const receivers = await Promise.race([
				this.#redis.publish(CLASS_LIFECYCLE_CHANNEL, JSON.stringify(event)),
				new Promise<never>((_, reject) =>
					setTimeout(() => reject(new Error('timed out')), PUBLISH_TIMEOUT_MS).unref(),
				),
			]);

			logger.info({ receivers }, 'class lifecycle published');
		} catch (error) {
			logger.error({ err: error }, 'class lifecycle not published');
		}
	}
}
