// Error codes and the acknowledgement envelope of the signaling protocol.
// Shared by the server and the browser pages: no Node.js imports here.

/** Every code a client can receive, with what it means. */
export const ERROR_CODES = {
	bad_request: 'the message does not match the event schema',
	payload_too_large: 'the message is larger than the event allows',
	unknown_event: 'no such event',
	token_invalid: 'the join token is malformed, forged or signed with an unknown key',
	token_expired: 'the join token has expired',
	forbidden: 'the role or grants of the sender do not allow this',
	not_found: 'the thing named does not exist (or no longer exists)',
	conflict: 'the request contradicts the current state (already answered, already closed)',
	out_of_order: 'the request comes before a step it depends on',
	rate_limited: 'too many messages; slow down',
	muted: 'the teacher has muted you in this class',
	chat_locked: 'the teacher has locked the chat',
	stage_full: 'the stage holds as many members as it may',
	class_ended: 'the class has ended; there is nothing more to join',
	unavailable: 'a backing service is unavailable; retry shortly',
	internal: 'the server failed; the request may be retried',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorBody {
	code: ErrorCode;
	message: string;
}

/** What every acknowledged event answers. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/** An error meant for the client: a stable code and a message a person can act on. */
export class ProtocolError extends Error {
	override readonly name = 'ProtocolError';

	constructor(
		readonly code: ErrorCode,
		message: string = ERROR_CODES[code],
	) {
		super(message);
	}

	toBody(): ErrorBody {
		return { code: this.code, message: this.message };
	}
}
