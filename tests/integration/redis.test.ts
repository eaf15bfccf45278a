import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createRedis } from '../../common/clients/redis.ts';
import { createTestResources, type TestResources } from '../support/resources.ts';

describe('Redis through ioredis', () => {
	let resources: TestResources;
	let redis: Redis;

	beforeAll(async () => {
		resources = await createTestResources();
		redis = createRedis(resources.redisUrl, { keyPrefix: resources.redisPrefix });
	});

	afterAll(async () => {
		await redis.quit();
		await resources.release();
	});

	it('sets a key with an expiry and reads it back under the file prefix', async () => {
		await redis.set('presence:count', '42', 'EX', 30);

		expect(await redis.get('presence:count')).toBe('42');
		expect(await redis.ttl('presence:count')).toBeGreaterThan(0);

		const raw = createRedis(resources.redisUrl);

		expect(await raw.get(`${resources.redisPrefix}presence:count`)).toBe('42');
		expect(await raw.get('presence:count')).toBeNull();
		await raw.quit();
	});
});
