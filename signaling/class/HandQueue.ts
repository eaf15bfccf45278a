// The hand-raise queue, in the order hands went up. The teacher sees the
// head of the queue, pushed at most once per tick however many hands rise.

import type { Redis } from 'ioredis';

import type { Member } from '../protocol/class.ts';
import type { ClassIo } from './ClassIo.ts';
import type { ClassTimeline } from './ClassTimeline.ts';
import { classKeys } from './classKeys.ts';
import type { Presence } from './Presence.ts';
import { moderatorRoom, userRoom } from './rooms.ts';

/** How much of the queue the teacher is shown. */
const QUEUE_VIEW = 50;

export class HandQueue {
	readonly #redis: Redis;
	readonly #io: ClassIo;
	readonly #presence: Presence;
	readonly #timeline: ClassTimeline;
	/** Classes whose queue changed since the last tick. */
	readonly #changed = new Set<string>();

	constructor(redis: Redis, io: ClassIo, presence: Presence, timeline: ClassTimeline) {
		this.#redis = redis;
		this.#io = io;
		this.#presence = presence;
		this.#timeline = timeline;
	}

	/**
	 * Raises the hand (again raising keeps the first place); resolves with the
	 * 1-based position. A hand that went up now goes into the timeline,
	 * fire-and-log: the position is what the member waits for, and a whole
	 * class may raise hands at once.
	 */
	async raise(classId: string, member: { userId: string; displayName: string }): Promise<number> {
		const key = classKeys(classId).hands;
		const raisedAt = Date.now();
		const [added, rank] = await Promise.all([
			this.#redis.zadd(key, 'NX', raisedAt, member.userId),
			this.#redis.zrank(key, member.userId),
		]);

		this.#changed.add(classId);
		if (added === 1) {
			this.#timeline.record(classId, raisedAt, {
				type: 'hand_raise',
				data: { userId: member.userId, displayName: member.displayName },
			});
		}

		return (rank ?? 0) + 1;
	}

	async lower(classId: string, userId: string): Promise<void> {
		await this.#redis.zrem(classKeys(classId).hands, userId);
		this.#changed.add(classId);
		this.#io.to(userRoom(classId, userId)).emit('hand:lowered', { userId });
	}

	/** Marks the class's queue for the next push (a hand went down elsewhere). */
	changed(classId: string): void {
		this.#changed.add(classId);
	}

	async isRaised(classId: string, userId: string): Promise<boolean> {
		return (await this.#redis.zscore(classKeys(classId).hands, userId)) !== null;
	}

	async queue(classId: string): Promise<Member[]> {
		const userIds = await this.#redis.zrange(classKeys(classId).hands, 0, QUEUE_VIEW - 1);

		return this.#presence.members(classId, userIds);
	}

	/** Pushes the queue of every class that changed to its teacher. */
	async publishChanges(): Promise<void> {
		const classIds = [...this.#changed];

		this.#changed.clear();
		for (const classId of classIds) {
			this.#io.to(moderatorRoom(classId)).emit('hand:queue', { queue: await this.queue(classId) });
		}
	}
}
