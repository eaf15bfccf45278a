// Who is in each class, kept in Redis with an expiry per member. Each process
// refreshes the members whose sockets it holds; any process sweeps expired
// members, so the members of a process that died disappear within the TTL.

import type { Redis } from 'ioredis';

import type { JoinClaims } from '../../common/auth/JoinToken.ts';
import type { Logger } from '../../common/logger.ts';
import type { Member } from '../protocol/class.ts';
import { classKeys, PRESENCE_CLASSES } from './classKeys.ts';

/** Members per command when storing many; keeps each command short for Redis. */
const STORE_CHUNK = 500;

export interface PresenceOptions {
	redis: Redis;
	ttlSeconds: number;
	logger: Logger;
	/** A raised hand went down because its member left, was removed or expired. */
	onHandLowered: (classId: string) => void;
}

export interface MemberPage {
	members: Member[];
	next: string | null;
}

interface StoredMember extends Member {
	nameKey: string;
}

// Removes members whose expiry passed, with their name entry and raised hand;
// returns how many members and how many hands went.
// KEYS: expiry, members, names, hands, classes. ARGV: now, classId.
const SWEEP_SCRIPT = `
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local hands = 0
for _, userId in ipairs(gone) do
	local raw = redis.call('HGET', KEYS[2], userId)
	if raw then
		redis.call('ZREM', KEYS[3], cjson.decode(raw).nameKey)
		redis.call('HDEL', KEYS[2], userId)
	end
	redis.call('ZREM', KEYS[1], userId)
	hands = hands + redis.call('ZREM', KEYS[4], userId)
end
if redis.call('ZCARD', KEYS[1]) == 0 then
	redis.call('SREM', KEYS[5], ARGV[2])
end
return {#gone, hands}
`;

export class Presence {
	readonly #redis: Redis;
	readonly #ttlMs: number;
	readonly #logger: Logger;
	readonly #onHandLowered: (classId: string) => void;
	/** classId to userId to the member and how many of its sockets this process holds. */
	readonly #local = new Map<string, Map<string, { member: StoredMember; sockets: number }>>();
	readonly #timers: NodeJS.Timeout[] = [];
	#closed = false;

	constructor(options: PresenceOptions) {
		this.#redis = options.redis;
		this.#ttlMs = options.ttlSeconds * 1000;
		this.#logger = options.logger.child({ component: 'presence' });
		this.#onHandLowered = options.onHandLowered;
		this.#every(this.#ttlMs / 3, () => this.#refresh());
		this.#every(this.#ttlMs / 4, () => this.#sweep());
	}

	/** Classes with members on this process. */
	get localClasses(): string[] {
		return [...this.#local.keys()];
	}

	async join(claims: JoinClaims): Promise<void> {
		const members =
			this.#local.get(claims.classId) ??
			new Map<string, { member: StoredMember; sockets: number }>();
		const entry = members.get(claims.userId);

		this.#local.set(claims.classId, members);

		if (entry !== undefined) {
			entry.sockets++;

			return;
		}

		const member: StoredMember = {
			userId: claims.userId,
			displayName: claims.displayName,
			role: claims.role,
			nameKey: `${claims.displayName.toLowerCase()}\u0000${claims.userId}`,
		};

		members.set(claims.userId, { member, sockets: 1 });
		await this.#store(claims.classId, [member]).exec();
	}

	async leave(claims: JoinClaims): Promise<void> {
		const members = this.#local.get(claims.classId);
		const entry = members?.get(claims.userId);

		if (members === undefined || entry === undefined) {
			return;
		}

		entry.sockets--;
		if (entry.sockets > 0) {
			return;
		}

		members.delete(claims.userId);
		if (members.size === 0) {
			this.#local.delete(claims.classId);
		}

		await this.forget(claims.classId, claims.userId, entry.member.nameKey);
	}

	/** Removes a member from the class's presence at once (left, or removed by the teacher). */
	async forget(classId: string, userId: string, nameKey?: string): Promise<void> {
		const keys = classKeys(classId);
		const key = nameKey ?? (await this.#storedMember(classId, userId))?.nameKey;

		const results = await this.#redis
			.multi()
			.zrem(keys.presenceExpiry, userId)
			.hdel(keys.presenceMembers, userId)
			.zrem(keys.presenceNames, key ?? '')
			.zrem(keys.hands, userId)
			.exec();

		if (results?.[3]?.[1] === 1) {
			this.#onHandLowered(classId);
		}
	}

	async count(classId: string): Promise<number> {
		return this.#redis.zcount(classKeys(classId).presenceExpiry, Date.now(), '+inf');
	}

	/** Members in name order, from the cursor on, whose name starts with `search`. */
	async list(
		classId: string,
		query: { search: string; cursor?: string | undefined; limit: number },
	): Promise<MemberPage> {
		const keys = classKeys(classId);
		const prefix = query.search.toLowerCase();
		const start = query.cursor === undefined ? `[${prefix}` : `(${query.cursor}`;
		const end = Buffer.concat([Buffer.from(`[${prefix}`), Buffer.from([0xff])]);
		const nameKeys = await this.#redis.zrangebylex(
			keys.presenceNames,
			prefix === '' && query.cursor === undefined ? '-' : start,
			end,
			'LIMIT',
			0,
			query.limit + 1,
		);
		const page = nameKeys.slice(0, query.limit);
		const userIds = page.map((nameKey) => nameKey.slice(nameKey.lastIndexOf('\u0000') + 1));
		const raw =
			userIds.length === 0 ? [] : await this.#redis.hmget(keys.presenceMembers, ...userIds);
		const members = raw.flatMap((value) => {
			const stored = parseMember(value);

			return stored === undefined
				? []
				: [{ userId: stored.userId, displayName: stored.displayName, role: stored.role }];
		});

		return { members, next: nameKeys.length > query.limit ? (page.at(-1) ?? null) : null };
	}

	/** Members by userId, in the order asked; unknown ones are left out. */
	async members(classId: string, userIds: readonly string[]): Promise<Member[]> {
		if (userIds.length === 0) {
			return [];
		}

		const raw = await this.#redis.hmget(classKeys(classId).presenceMembers, ...userIds);

		return raw.flatMap((value) => {
			const stored = parseMember(value);

			return stored === undefined
				? []
				: [{ userId: stored.userId, displayName: stored.displayName, role: stored.role }];
		});
	}

	/** Stops refreshing and removes this process's members, as if they all left. */
	async close(): Promise<void> {
		if (this.#closed) {
			return;
		}

		this.#closed = true;
		for (const timer of this.#timers) {
			clearInterval(timer);
		}

		const pipeline = this.#redis.pipeline();

		for (const [classId, members] of this.#local) {
			const keys = classKeys(classId);

			for (const { member } of members.values()) {
				pipeline
					.zrem(keys.presenceExpiry, member.userId)
					.hdel(keys.presenceMembers, member.userId)
					.zrem(keys.presenceNames, member.nameKey);
			}
		}

		this.#local.clear();
		await pipeline.exec();
	}

	/**
	 * Writes members' expiry, record and name entry: three variadic commands
	 * per chunk rather than three per member, so refreshing the thousands of
	 * members a process holds costs it a few commands, not tens of thousands.
	 */
	#store(classId: string, members: readonly StoredMember[]) {
		const keys = classKeys(classId);
		const expiresAt = Date.now() + this.#ttlMs;
		const pipeline = this.#redis.pipeline().sadd(PRESENCE_CLASSES, classId);

		for (let start = 0; start < members.length; start += STORE_CHUNK) {
			const chunk = members.slice(start, start + STORE_CHUNK);

			pipeline
				.zadd(keys.presenceExpiry, ...chunk.flatMap((member) => [expiresAt, member.userId]))
				.hset(
					keys.presenceMembers,
					new Map(chunk.map((member) => [member.userId, JSON.stringify(member)])),
				)
				.zadd(keys.presenceNames, ...chunk.flatMap((member) => [0, member.nameKey]));
		}

		return pipeline;
	}

	async #storedMember(classId: string, userId: string): Promise<StoredMember | undefined> {
		return parseMember(await this.#redis.hget(classKeys(classId).presenceMembers, userId));
	}

	async #refresh(): Promise<void> {
		for (const [classId, members] of this.#local) {
			await this.#store(
				classId,
				[...members.values()].map(({ member }) => member),
			).exec();
		}
	}

	async #sweep(): Promise<void> {
		const classIds = await this.#redis.smembers(PRESENCE_CLASSES);
		const now = Date.now();

		for (const classId of classIds) {
			const keys = classKeys(classId);
			const gone = await this.#redis.eval(
				SWEEP_SCRIPT,
				5,
				keys.presenceExpiry,
				keys.presenceMembers,
				keys.presenceNames,
				keys.hands,
				PRESENCE_CLASSES,
				now,
				classId,
			);

			const [members = 0, hands = 0] = Array.isArray(gone) ? gone.map(Number) : [];

			if (members > 0) {
				this.#logger.info({ classId, gone: members }, 'expired members removed');
			}

			if (hands > 0) {
				this.#onHandLowered(classId);
			}
		}
	}

	#every(intervalMs: number, work: () => Promise<void>): void {
		let running = false;
		const timer = setInterval(() => {
			if (running) {
				return;
			}

			running = true;
			work()
				.catch((error: unknown) => this.#logger.warn({ err: error }, 'presence upkeep failed'))
				.finally(() => {
					running = false;
				});
		}, intervalMs);

		timer.unref();
		this.#timers.push(timer);
	}
}

function parseMember(raw: string | null | undefined): StoredMember | undefined {
	if (raw === null || raw === undefined) {
		return undefined;
	}

	return JSON.parse(raw) as StoredMember;
}
