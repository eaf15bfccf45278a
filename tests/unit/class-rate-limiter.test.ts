import { describe, expect, it } from 'vitest';

import { RateLimiter } from '../../signaling/class/RateLimiter.ts';

describe('RateLimiter', () => {
	it('allows a burst up to its capacity, then refuses', () => {
		const limiter = new RateLimiter({ capacity: 3, refillPerSecond: 1 });
		const now = 1_000_000;

		expect([1, 2, 3, 4].map(() => limiter.take('u', now))).toEqual([true, true, true, false]);
		limiter.close();
	});

	it('refills at its rate', () => {
		const limiter = new RateLimiter({ capacity: 2, refillPerSecond: 2 });
		const now = 1_000_000;

		limiter.take('u', now);
		limiter.take('u', now);
		expect(limiter.take('u', now)).toBe(false);
		expect(limiter.take('u', now + 500)).toBe(true);
		expect(limiter.take('u', now + 500)).toBe(false);
		limiter.close();
	});

	it('keeps one bucket per key', () => {
		const limiter = new RateLimiter({ capacity: 1, refillPerSecond: 1 });

		expect(limiter.take('a', 0)).toBe(true);
		expect(limiter.take('a', 0)).toBe(false);
		expect(limiter.take('b', 0)).toBe(true);
		limiter.close();
	});
});
