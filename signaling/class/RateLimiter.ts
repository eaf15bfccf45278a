// Per-user token buckets, kept in the process that holds the user's socket:
// a flood is refused where it arrives, before it costs Redis or anyone else
// any work. A user with sockets on two processes gets two buckets, which
// at most doubles an already small allowance.

export interface BucketRule {
	/** Tokens the bucket holds when full: the burst allowed. */
	capacity: number;
	/** Tokens added per second. */
	refillPerSecond: number;
}

interface Bucket {
	tokens: number;
	updatedAt: number;
}

/** Buckets idle this long are full again, so they are forgotten. */
const SWEEP_INTERVAL_MS = 60_000;

export class RateLimiter {
	readonly #rule: BucketRule;
	readonly #buckets = new Map<string, Bucket>();
	readonly #sweeper: NodeJS.Timeout;

	constructor(rule: BucketRule) {
		this.#rule = rule;
		this.#sweeper = setInterval(() => this.#sweep(), SWEEP_INTERVAL_MS);
		this.#sweeper.unref();
	}

	/** Takes one token for the key; false when the bucket is empty. */
	take(key: string, now = Date.now()): boolean {
		const bucket = this.#buckets.get(key) ?? { tokens: this.#rule.capacity, updatedAt: now };
		const refilled = ((now - bucket.updatedAt) / 1000) * this.#rule.refillPerSecond;

		bucket.tokens = Math.min(this.#rule.capacity, bucket.tokens + refilled);
		bucket.updatedAt = now;
		this.#buckets.set(key, bucket);

		if (bucket.tokens < 1) {
			return false;
		}

		bucket.tokens -= 1;

		return true;
	}

	close(): void {
		clearInterval(this.#sweeper);
		this.#buckets.clear();
	}

	#sweep(): void {
		const fullAfterMs = (this.#rule.capacity / this.#rule.refillPerSecond) * 1000;
		const now = Date.now();

		for (const [key, bucket] of this.#buckets) {
			if (now - bucket.updatedAt > fullAfterMs) {
				this.#buckets.delete(key);
			}
		}
	}
}
