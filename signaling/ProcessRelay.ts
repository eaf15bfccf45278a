// Events from one signaling process to all the others, on a capped Redis
// stream that each process reads from the last entry it saw. The socket.io
// Redis streams adapter sends `serverSideEmit` through PUBLISH (ephemeral in
// its design), so an event published while a process is reconnecting to
// Redis never reaches it; a stream entry waits for the reader instead.
// A sender can add its event to the round trip that stores what the event
// announces, so "acknowledged" implies "relayed".

import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';

import type { ChainableCommander, Redis } from 'ioredis';
import { z } from 'zod';

import type { Logger } from '../common/logger.ts';
import { StageChanged } from './media/MediaSignaling.ts';
import type { ChatMessage } from './protocol/class.ts';

const RelayedChatMessage = z.strictObject({
	id: z.string(),
	userId: z.string(),
	displayName: z.string(),
	text: z.string(),
	at: z.number(),
}) satisfies z.ZodType<ChatMessage>;

export const RelayEvent = z.discriminatedUnion('type', [
	/** A class message accepted on the sending process. */
	z.strictObject({ type: z.literal('chat'), classId: z.uuid(), message: RelayedChatMessage }),
	/** A member joined or left the stage through the sending process. */
	z.strictObject({ type: z.literal('stage'), change: StageChanged }),
]);
export type RelayEvent = z.infer<typeof RelayEvent>;

type RelayEvents = { [Type in RelayEvent['type']]: [Extract<RelayEvent, { type: Type }>] };

export interface ProcessRelayOptions {
	/** Commands (XADD), with the deployment's key prefix. */
	redis: Redis;
	/** A connection of its own for the blocking reads, with the same prefix. */
	reader: Redis;
	logger: Logger;
	/** Entries the stream keeps, about; a reader away for longer misses the oldest. */
	maxLength?: number;
}

const STREAM = 'signaling:relay';
const READ_COUNT = 500;
const BLOCK_MS = 2000;
const RETRY_MS = 200;

export class ProcessRelay extends EventEmitter<RelayEvents> {
	readonly #options: ProcessRelayOptions;
	readonly #origin = randomUUID();
	readonly #maxLength: number;
	#offset = '0-0';
	#reading: Promise<void> | undefined;
	#closed = false;

	constructor(options: ProcessRelayOptions) {
		super();
		this.#options = options;
		this.#maxLength = options.maxLength ?? 10_000;
	}

	/** Starts reading from the stream's current end: what others send from now on. */
	async start(): Promise<void> {
		if (this.#reading !== undefined) {
			return;
		}

		const [last] = await this.#options.redis.xrevrange(STREAM, '+', '-', 'COUNT', 1);

		this.#offset = last?.[0] ?? '0-0';
		this.#reading = this.#read();
	}

	/** Adds the event to a pipeline the caller sends (on a connection with the same prefix). */
	addTo(pipeline: ChainableCommander, event: RelayEvent): void {
		pipeline.xadd(
			STREAM,
			'MAXLEN',
			'~',
			this.#maxLength,
			'*',
			'o',
			this.#origin,
			'e',
			JSON.stringify(event),
		);
	}

	/** Sends the event on its own; resolves once Redis has it. */
	async send(event: RelayEvent): Promise<void> {
		const pipeline = this.#options.redis.pipeline();

		this.addTo(pipeline, event);

		const [reply] = (await pipeline.exec()) ?? [];

		if (reply?.[0]) {
			throw reply[0];
		}
	}

	/** Stops reading; idempotent. */
	async close(): Promise<void> {
		this.#closed = true;
		this.#options.reader.disconnect();
		await this.#reading;
	}

	async #read(): Promise<void> {
		const { reader, logger } = this.#options;

		while (!this.#closed) {
			try {
				const reply = await reader.xread(
					'COUNT',
					READ_COUNT,
					'BLOCK',
					BLOCK_MS,
					'STREAMS',
					STREAM,
					this.#offset,
				);

				for (const [id, fields] of reply?.[0]?.[1] ?? []) {
					this.#offset = id;
					this.#deliver(fields);
				}
			} catch (error) {
				if (this.#isClosed()) {
					return;
				}

				// NOTE: the offset stays, so the next read picks up what was
				// added while this connection was down.
				logger.warn({ err: error }, 'relay read failed; reading again');
				await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
			}
		}
	}

	/** Read through a call: a read can end in between, which a field's narrowing would hide. */
	#isClosed(): boolean {
		return this.#closed;
	}

	#deliver(fields: string[]): void {
		const values = new Map<string, string>();

		for (let index = 0; index + 1 < fields.length; index += 2) {
			values.set(fields[index] ?? '', fields[index + 1] ?? '');
		}

		if (values.get('o') === this.#origin) {
			return;
		}

		let event: RelayEvent;

		try {
			event = RelayEvent.parse(JSON.parse(values.get('e') ?? ''));
		} catch (error) {
			this.#options.logger.warn({ err: error }, 'relay entry unreadable; skipped');

			return;
		}

		try {
			switch (event.type) {
				case 'chat':
					this.emit('chat', event);
					break;
				case 'stage':
					this.emit('stage', event);
					break;
			}
		} catch (error) {
			this.#options.logger.error({ err: error, type: event.type }, 'relay listener failed');
		}
	}
}
