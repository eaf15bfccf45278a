// The teacher's hand on the class: mute or remove a member, lock the chat,
// slow it down. State lives in Redis so every process enforces it.

import type { Redis } from 'ioredis';

import type { ChatSettings } from '../protocol/class.ts';
import type { ClassIo } from './ClassIo.ts';
import { classRoom, userRoom } from './rooms.ts';
import { classKeys } from './classKeys.ts';

export class Moderation {
	readonly #redis: Redis;
	readonly #io: ClassIo;

	constructor(redis: Redis, io: ClassIo) {
		this.#redis = redis;
		this.#io = io;
	}

	async setMuted(classId: string, userId: string, muted: boolean): Promise<void> {
		const key = classKeys(classId).muted;

		await (muted ? this.#redis.sadd(key, userId) : this.#redis.srem(key, userId));
		this.#io.to(userRoom(classId, userId)).emit('moderation:muted', { muted });
	}

	async isMuted(classId: string, userId: string): Promise<boolean> {
		return (await this.#redis.sismember(classKeys(classId).muted, userId)) === 1;
	}

	/** The muted ones among `userIds`. */
	async mutedAmong(classId: string, userIds: readonly string[]): Promise<Set<string>> {
		if (userIds.length === 0) {
			return new Set();
		}

		const flags = await this.#redis.smismember(classKeys(classId).muted, ...userIds);

		return new Set(userIds.filter((_, index) => flags[index] === 1));
	}

	/**
	 * Removes a member for the rest of the class: told why, then disconnected
	 * on every process. The caller also takes them off the stage.
	 */
	async remove(classId: string, userId: string): Promise<void> {
		await this.#redis.sadd(classKeys(classId).removed, userId);
		this.#io.to(userRoom(classId, userId)).emit('moderation:removed', {
			reason: 'removed by the teacher',
		});
		this.#io.in(userRoom(classId, userId)).disconnectSockets(true);
	}

	async isRemoved(classId: string, userId: string): Promise<boolean> {
		return (await this.#redis.sismember(classKeys(classId).removed, userId)) === 1;
	}

	async settings(classId: string): Promise<ChatSettings> {
		const [locked, slow] = await this.#redis.hmget(
			classKeys(classId).chatSettings,
			'locked',
			'slowModeSeconds',
		);

		return { locked: locked === '1', slowModeSeconds: Number(slow ?? 0) };
	}

	async update(classId: string, change: Partial<ChatSettings>): Promise<ChatSettings> {
		const fields: Record<string, string> = {};

		if (change.locked !== undefined) {
			fields.locked = change.locked ? '1' : '0';
		}

		if (change.slowModeSeconds !== undefined) {
			fields.slowModeSeconds = String(change.slowModeSeconds);
		}

		await this.#redis.hset(classKeys(classId).chatSettings, fields);

		const settings = await this.settings(classId);

		this.#io.to(classRoom(classId)).emit('chat:settings', settings);

		return settings;
	}
}
