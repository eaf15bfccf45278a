// The stage: the few members who may publish media besides the teacher.
// It is the Redis set `class:<classId>:stage`, which the media side checks
// before it lets a member produce. The teacher invites, the student accepts;
// the teacher removes or mutes.

import type { Redis } from 'ioredis';

import type { Logger } from '../../common/logger.ts';
import type { ProcessRelay } from '../ProcessRelay.ts';
import { ProtocolError } from '../protocol/errors.ts';
import type { ClassIo } from './ClassIo.ts';
import type { ClassTimeline } from './ClassTimeline.ts';
import { classKeys } from './classKeys.ts';
import { classRoom, moderatorRoom, userRoom } from './rooms.ts';

export interface StageChange {
	classId: string;
	userId: string;
	onStage: boolean;
}

// Takes a place on the stage for an invited member, if there is one.
// KEYS: invites, stage, hands. ARGV: userId, limit.
// Returns 1 on stage, 0 already there, -1 not invited, -2 full.
const ACCEPT_SCRIPT = `
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
	return 0
end
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 0 then
	return -1
end
if redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[2]) then
	return -2
end
redis.call('SREM', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1
`;

export interface StageOptions {
	redis: Redis;
	io: ClassIo;
	limit: number;
	/**
	 * Called on this process for every change made here; other processes
	 * hear of it through the relay. The media side closes the producers of a
	 * member who left the stage.
	 */
	onStageChange: (change: StageChange) => void;
	relay: ProcessRelay;
	/**
	 * Where each change made here is recorded, fire-and-log: the change has
	 * taken effect in Redis and on the media side by then, so a failed record
	 * must not fail (or delay) the answer to the member.
	 */
	timeline: ClassTimeline;
	logger: Logger;
}

// NOTE: a stage member whose process dies stays in the stage set (presence
// expiry does not touch it) until the teacher removes them or they leave;
// freeing the place automatically needs the media side to agree that their
// producers are gone, which is not built yet.
export class Stage {
	readonly #options: StageOptions;

	constructor(options: StageOptions) {
		this.#options = options;
	}

	async invite(classId: string, userId: string, by: string): Promise<void> {
		const keys = classKeys(classId);

		if ((await this.#options.redis.sismember(keys.stage, userId)) === 1) {
			throw new ProtocolError('conflict', 'that member is already on the stage');
		}

		await this.#options.redis.sadd(keys.stageInvites, userId);
		this.#options.io.to(userRoom(classId, userId)).emit('stage:invited', { by });
	}

	/** Puts an invited member on the stage; `displayName` names them in the timeline. */
	async accept(classId: string, userId: string, displayName?: string): Promise<string[]> {
		const keys = classKeys(classId);
		const result = await this.#options.redis.eval(
			ACCEPT_SCRIPT,
			3,
			keys.stageInvites,
			keys.stage,
			keys.hands,
			userId,
			this.#options.limit,
		);

		if (result === -1) {
			throw new ProtocolError('out_of_order', 'accept an invitation from the teacher first');
		}

		if (result === -2) {
			throw new ProtocolError('stage_full', `the stage holds at most ${this.#options.limit}`);
		}

		if (result === 1) {
			this.#changed({ classId, userId, onStage: true }, displayName);
		}

		return this.members(classId);
	}

	/** Drops the member's invitation and tells the teacher, who is waiting for an answer. */
	async decline(classId: string, userId: string): Promise<void> {
		if ((await this.#options.redis.srem(classKeys(classId).stageInvites, userId)) === 1) {
			this.#options.io.to(moderatorRoom(classId)).emit('stage:declined', { userId });
		}
	}

	async isInvited(classId: string, userId: string): Promise<boolean> {
		return (await this.#options.redis.sismember(classKeys(classId).stageInvites, userId)) === 1;
	}

	/**
	 * Takes a member off the stage (the teacher did, or the member left it);
	 * without `displayName` the timeline names them from presence.
	 */
	async remove(classId: string, userId: string, displayName?: string): Promise<void> {
		const keys = classKeys(classId);
		const [[, removed] = []] =
			(await this.#options.redis
				.multi()
				.srem(keys.stage, userId)
				.srem(keys.stageInvites, userId)
				.exec()) ?? [];

		if (removed === 1) {
			this.#changed({ classId, userId, onStage: false }, displayName);
		}
	}

	/** Asks the media side of the member to mute (or unmute) the microphone. */
	async mute(classId: string, userId: string, muted: boolean): Promise<void> {
		if ((await this.#options.redis.sismember(classKeys(classId).stage, userId)) === 0) {
			throw new ProtocolError('not_found', 'that member is not on the stage');
		}

		this.#options.io.to(userRoom(classId, userId)).emit('stage:mute', { muted });
	}

	async members(classId: string): Promise<string[]> {
		return this.#options.redis.smembers(classKeys(classId).stage);
	}

	#changed(change: StageChange, displayName: string | undefined): void {
		this.#options.timeline.stageChanged(change, Date.now(), displayName);
		this.#options.io.to(classRoom(change.classId)).emit('stage:changed', {
			userId: change.userId,
			onStage: change.onStage,
		});
		this.#options.onStageChange(change);
		// NOTE: the change has taken effect in Redis; the relay waits out a
		// Redis reconnect rather than fail, so this only logs a closed client.
		this.#options.relay.send({ type: 'stage', change }).catch((error: unknown) => {
			this.#options.logger.warn({ err: error, ...change }, 'stage change not relayed');
		});
	}
}
