// The end of a class, as the app API announces it on the lifecycle channel
// (common/events/ClassLifecycle.ts). Every signaling process marks the class
// ended in Redis, lets its own part of the class finish (the HLS playlists
// end), tells its own members and disconnects them. From then on joins are
// refused with class_ended, on every process, because the mark is in Redis.

import type { Redis } from 'ioredis';

import {
	CLASS_LIFECYCLE_CHANNEL,
	parseClassLifecycleEvent,
	type ClassLifecycleEvent,
} from '../../common/events/ClassLifecycle.ts';
import type { Logger } from '../../common/logger.ts';
import type { ClassIo } from './ClassIo.ts';
import { classKeys } from './classKeys.ts';
import { classRoom } from './rooms.ts';

export interface ClassEndingOptions {
	/** Commands, with the deployment's key prefix. */
	redis: Redis;
	/** A connection of its own for the lifecycle channel. */
	subscriber: Redis;
	io: ClassIo;
	/** What else in this process ends with the class; awaited before members are let go. */
	onEnded: (classId: string) => Promise<void>;
	logger: Logger;
}

/** Longer than any join token lives, so no token outlasts the mark. */
const ENDED_TTL_SECONDS = 24 * 60 * 60;

export class ClassEnding {
	readonly #options: ClassEndingOptions;

	constructor(options: ClassEndingOptions) {
		this.#options = options;
	}

	async start(): Promise<void> {
		const { subscriber, logger } = this.#options;

		subscriber.on('message', (channel: string, text: string) => {
			if (channel !== CLASS_LIFECYCLE_CHANNEL) {
				return;
			}

			let event: ClassLifecycleEvent;

			try {
				event = parseClassLifecycleEvent(text);
			} catch (error) {
				logger.warn({ err: error }, 'class lifecycle message unreadable; ignored');

				return;
			}

			if (event.type !== 'class.started') {
				this.end(event.classId, event.type === 'class.ended' ? 'ended' : 'cancelled').catch(
					(error: unknown) =>
						logger.error({ err: error, classId: event.classId }, 'class end failed'),
				);
			}
		});
		await subscriber.subscribe(CLASS_LIFECYCLE_CHANNEL);
	}

	/** Ends the class in this process; idempotent. */
	async end(classId: string, reason: 'ended' | 'cancelled'): Promise<void> {
		const { redis, io, onEnded, logger } = this.#options;

		await redis.set(classKeys(classId).ended, reason, 'EX', ENDED_TTL_SECONDS);
		io.local.to(classRoom(classId)).emit('class:ended', { reason });
		try {
			await onEnded(classId);
		} finally {
			io.local.in(classRoom(classId)).disconnectSockets(true);
			logger.info({ classId, reason }, 'class ended');
		}
	}

	async isEnded(classId: string): Promise<boolean> {
		return (await this.#options.redis.exists(classKeys(classId).ended)) === 1;
	}

	close(): void {
		this.#options.subscriber.disconnect();
	}
}
