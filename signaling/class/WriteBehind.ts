// A write-behind buffer from the hot path to MongoDB. Entries are appended
// to a Redis stream before the caller acknowledges anything, so an
// acknowledged entry survives a MongoDB outage and the crash of this process;
// a flusher moves them to MongoDB in batches and deletes them from the stream
// only after MongoDB took them. Inserts carry their own `_id`, so a batch
// retried after a partial failure (or flushed by two processes at once)
// never duplicates a document.

import type { ChainableCommander, Redis } from 'ioredis';
import { MongoBulkWriteError, MongoServerError, type Collection, type Document } from 'mongodb';

import type { Logger } from '../../common/logger.ts';

/** One buffered write: a new document, or fields set on an existing one. */
export type PendingWrite =
	{ op: 'insert'; doc: Document & { _id: string } } | { op: 'set'; id: string; set: Document };

export interface WriteBehindOptions {
	redis: Redis;
	/** The Redis stream that holds the pending writes. */
	stream: string;
	collection: Collection<Document & { _id: string }>;
	logger: Logger;
	/** Turns the JSON form back into the stored form (dates, for example). */
	revive?: (doc: Document & { _id: string }) => Document & { _id: string };
	batchSize?: number;
	intervalMs?: number;
}

const DUPLICATE_KEY = 11000;
const APPEND_TIMEOUT_MS = 3000;
const MAX_BACKOFF_MS = 5000;

export class WriteBehind {
	readonly #options: Required<Omit<WriteBehindOptions, 'revive'>> &
		Pick<WriteBehindOptions, 'revive'>;
	readonly #logger: Logger;
	#timer: NodeJS.Timeout | undefined;
	#flushing: Promise<number> | undefined;
	#failures = 0;
	#closed = false;

	constructor(options: WriteBehindOptions) {
		this.#options = { batchSize: 500, intervalMs: 250, ...options };
		this.#logger = options.logger.child({ stream: options.stream });
	}

	/**
	 * Stores writes durably in Redis. Resolves once Redis has them; rejects
	 * (and stores nothing the caller may count on) when Redis does not answer
	 * in time.
	 */
	async append(
		writes: readonly PendingWrite[],
		/** More commands to send in the same round trip, after the writes. */
		alongside?: (pipeline: ChainableCommander) => void,
	): Promise<void> {
		const pipeline = this.#options.redis.pipeline();

		this.addTo(pipeline, writes);
		alongside?.(pipeline);

		let timer: NodeJS.Timeout | undefined;
		const timeout = new Promise<never>((_resolve, reject) => {
			timer = setTimeout(() => {
				reject(new Error('redis did not store the write in time'));
			}, APPEND_TIMEOUT_MS);
		});

		try {
			const results = await Promise.race([pipeline.exec(), timeout]);
			const failed = results?.find(([error]) => error !== null);

			if (results === null || failed !== undefined) {
				throw new Error('redis refused the write', { cause: failed?.[0] });
			}
		} finally {
			clearTimeout(timer);
		}
	}

	/**
	 * Adds the writes to a pipeline that someone else sends, such as the
	 * `alongside` of another buffer's append, so both are stored in one
	 * round trip; the sender checks the replies.
	 *
	 * NOTE: the pipeline's connection decides the key prefix, so it must be
	 * this buffer's connection or one with the same prefix.
	 */
	addTo(pipeline: ChainableCommander, writes: readonly PendingWrite[]): void {
		for (const write of writes) {
			pipeline.xadd(this.#options.stream, '*', 'w', JSON.stringify(write));
		}
	}

	/** Starts moving batches to MongoDB in the background. */
	start(): void {
		if (this.#closed || this.#timer !== undefined) {
			return;
		}

		this.#schedule(this.#options.intervalMs);
	}

	/** Moves one batch; resolves with how many writes MongoDB took. */
	flush(): Promise<number> {
		this.#flushing ??= this.#flushBatch().finally(() => {
			this.#flushing = undefined;
		});

		return this.#flushing;
	}

	/** Stops the flusher after one last attempt; what is left stays in Redis. */
	async close(): Promise<void> {
		if (this.#closed) {
			return;
		}

		this.#closed = true;
		clearTimeout(this.#timer);
		await this.flush().catch((error: unknown) => {
			this.#logger.warn({ err: error }, 'last flush failed; writes stay buffered in redis');
		});
	}

	#schedule(delayMs: number): void {
		this.#timer = setTimeout(() => {
			this.flush().then(
				(moved) => {
					this.#failures = 0;
					// A full batch means more is waiting: go again at once.
					this.#next(moved >= this.#options.batchSize ? 0 : this.#options.intervalMs);
				},
				(error: unknown) => {
					this.#failures++;
					this.#logger.warn({ err: error, failures: this.#failures }, 'flush failed; will retry');
					this.#next(Math.min(MAX_BACKOFF_MS, this.#options.intervalMs * 2 ** this.#failures));
				},
			);
		}, delayMs);
	}

	#next(delayMs: number): void {
		if (!this.#closed) {
			this.#schedule(delayMs);
		}
	}

	async #flushBatch(): Promise<number> {
		const { redis, stream, collection, batchSize } = this.#options;
		const entries = await redis.xrange(stream, '-', '+', 'COUNT', batchSize);

		if (entries.length === 0) {
			return 0;
		}

		const inserts: (Document & { _id: string })[] = [];
		const sets: { id: string; set: Document }[] = [];

		for (const [, fields] of entries) {
			const write = parseWrite(fields[1]);

			if (write?.op === 'insert') {
				inserts.push(this.#options.revive?.(write.doc) ?? write.doc);
			} else if (write?.op === 'set') {
				sets.push(write);
			} else {
				this.#logger.error({ fields }, 'dropping an unreadable buffered write');
			}
		}

		await this.#insert(collection, inserts);

		for (const { id, set } of sets) {
			await collection.updateOne({ _id: id }, { $set: set });
		}

		await redis.xdel(stream, ...entries.map(([entryId]) => entryId));
		this.#logger.debug({ moved: entries.length }, 'flushed');

		return entries.length;
	}

	async #insert(
		collection: Collection<Document & { _id: string }>,
		docs: (Document & { _id: string })[],
	): Promise<void> {
		if (docs.length === 0) {
			return;
		}

		try {
			await collection.insertMany(docs, { ordered: false });
		} catch (error) {
			// Documents already there came from an earlier attempt: that is success.
			const errors =
				error instanceof MongoBulkWriteError
					? [error.writeErrors].flat()
					: error instanceof MongoServerError
						? [error]
						: [];
			const onlyDuplicates =
				errors.length > 0 && errors.every((writeError) => writeError.code === DUPLICATE_KEY);

			if (!onlyDuplicates) {
				throw error;
			}
		}
	}
}

function parseWrite(raw: string | undefined): PendingWrite | undefined {
	if (raw === undefined) {
		return undefined;
	}

	try {
		const value = JSON.parse(raw) as unknown;

		if (typeof value === 'object' && value !== null && 'op' in value) {
			return value as PendingWrite;
		}
	} catch {
		return undefined;
	}

	return undefined;
}
