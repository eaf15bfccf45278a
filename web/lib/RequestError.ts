// A refusal from signaling as the pages see it: the stable code of
// signaling/protocol/errors.ts and the server's message, shown together.

import type { ErrorBody, ErrorCode } from '../../signaling/protocol/errors.ts';

/** An error from the server, with its stable code. */
export class RequestError extends Error {
	override readonly name = 'RequestError';
	readonly code: ErrorCode;

	constructor(body: ErrorBody) {
		super(`${body.code}: ${body.message}`);
		this.code = body.code;
	}
}

/** What a page shows for a failed request: `code: message` for a refusal. */
export function describeError(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
