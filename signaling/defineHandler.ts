// Turns a schema and a function into a socket.io event listener that
// validates, bounds the size, acknowledges with the Ack envelope and never
// lets one bad message hurt the connection or the class.

import type { z } from 'zod';

import type { Logger } from '../common/logger.ts';
import { ProtocolError, type Ack } from './protocol/errors.ts';

/** The default ceiling for one message, far above any legitimate one. */
export const DEFAULT_MAX_BYTES = 16 * 1024;

export interface HandlerOptions {
	maxBytes?: number;
}

type Listener = (...args: unknown[]) => void;

/**
 * A listener for one event. `handle` gets the parsed payload; a thrown
 * ProtocolError reaches the client as its code, anything else as `internal`
 * (and is logged).
 */
export function defineHandler<Schema extends z.ZodType, Result>(
	event: string,
	schema: Schema,
	handle: (payload: z.infer<Schema>) => Promise<Result>,
	logger: Logger,
	options: HandlerOptions = {},
): Listener {
	const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;

	return (...args: unknown[]) => {
		const last = args.at(-1);
		const ack = typeof last === 'function' ? (last as (reply: Ack<Result>) => void) : undefined;
		const payload = ack === undefined ? args[0] : args.length > 1 ? args[0] : undefined;

		void respond(event, schema, handle, logger, maxBytes, payload).then((reply) => {
			ack?.(reply);
		});
	};
}

async function respond<Schema extends z.ZodType, Result>(
	event: string,
	schema: Schema,
	handle: (payload: z.infer<Schema>) => Promise<Result>,
	logger: Logger,
	maxBytes: number,
	payload: unknown,
): Promise<Ack<Result>> {
	try {
		if (byteLength(payload) > maxBytes) {
			throw new ProtocolError('payload_too_large', `${event} accepts at most ${maxBytes} bytes`);
		}

		const parsed = schema.safeParse(payload);

		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';

			throw new ProtocolError('bad_request', `${event}: ${issue?.message ?? 'invalid'}${where}`);
		}

		return { ok: true, data: await handle(parsed.data) };
	} catch (error) {
		if (error instanceof ProtocolError) {
			logger.debug({ event, code: error.code }, 'request refused');

			return { ok: false, error: error.toBody() };
		}

		logger.error({ event, err: error }, 'handler failed');

		return { ok: false, error: new ProtocolError('internal').toBody() };
	}
}

/** The size of a payload as JSON; binary payloads count their bytes. */
function byteLength(payload: unknown): number {
	if (payload === undefined) {
		return 0;
	}

	if (payload instanceof Uint8Array) {
		return payload.byteLength;
	}

	try {
		return Buffer.byteLength(JSON.stringify(payload));
	} catch {
		return Number.POSITIVE_INFINITY;
	}
}
