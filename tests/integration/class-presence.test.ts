// Presence upkeep against the real Redis: a process keeps more members
// alive than one store command holds, and puts back members whose records
// Redis lost.

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { JoinClaims } from '../../common/auth/JoinToken.ts';
import { createRedis } from '../../common/clients/redis.ts';
import { createLogger } from '../../common/logger.ts';
import { classKeys } from '../../signaling/class/classKeys.ts';
import { Presence } from '../../signaling/class/Presence.ts';
import { createTestResources, type TestResources } from '../support/resources.ts';

// A short expiry: refreshed every 300 ms, swept every 225 ms.
const TTL_SECONDS = 0.9;
// More than one chunk of the store's variadic commands (500 members).
const MEMBERS = 1234;

describe('presence upkeep', () => {
	let resources: TestResources;
	let redis: Redis;
	let presence: Presence;
	const classId = randomUUID();
	const claims: JoinClaims[] = Array.from({ length: MEMBERS }, (_, index) => ({
		classId,
		userId: randomUUID(),
		displayName: `Member ${String(index).padStart(4, '0')}`,
		role: 'audience',
		grants: { publish: false, moderate: false },
	}));

	beforeAll(async () => {
		resources = await createTestResources();
		redis = createRedis(resources.redisUrl, { keyPrefix: resources.redisPrefix });
		presence = new Presence({
			redis,
			ttlSeconds: TTL_SECONDS,
			logger: createLogger('test', 'silent'),
			onHandLowered: () => undefined,
		});

		for (const member of claims) {
			await presence.join(member);
		}
	});

	afterAll(async () => {
		await presence.close();
		await redis.quit();
		await resources.release();
	});

	it('keeps every member of the process present across several expiries', async () => {
		await sleep(TTL_SECONDS * 3000);

		expect(await presence.count(classId)).toBe(MEMBERS);

		const page = await presence.list(classId, { search: 'member 12', limit: 50 });

		expect(page.members.map((member) => member.displayName)).toEqual(
			Array.from({ length: 34 }, (_, index) => `Member ${1200 + index}`),
		);
	});

	it('puts back members whose records Redis lost, names and all', async () => {
		const keys = classKeys(classId);

		await redis.del(keys.presenceExpiry, keys.presenceMembers, keys.presenceNames);
		expect(await presence.count(classId)).toBe(0);

		await sleep(TTL_SECONDS * 1000);

		expect(await presence.count(classId)).toBe(MEMBERS);
		expect(
			await presence.members(classId, [claims[0]?.userId ?? '', claims[1233]?.userId ?? '']),
		).toEqual([
			{ userId: claims[0]?.userId, displayName: 'Member 0000', role: 'audience' },
			{ userId: claims[1233]?.userId, displayName: 'Member 1233', role: 'audience' },
		]);
		expect((await presence.list(classId, { search: '', limit: 2000 })).members).toHaveLength(
			MEMBERS,
		);
	});
});
