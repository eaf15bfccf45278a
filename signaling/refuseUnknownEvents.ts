import type { Socket } from 'socket.io';

import { ProtocolError } from './protocol/errors.ts';

/**
 * Answers a request for an event nobody on this socket handles with
 * `unknown_event`, so a client learns of its mistake instead of waiting for
 * an ack that never comes. Call it once per socket, after every part of the
 * protocol (the class, the media) has bound its handlers.
 */
export function refuseUnknownEvents(socket: Socket): void {
	socket.onAny((event: unknown, ...args: unknown[]) => {
		const ack = args.at(-1);

		// NOTE: onAny runs before the event's own handlers, which every part
		// of the protocol binds while the connection is set up.
		if (typeof event === 'string' && socket.listeners(event).length === 0 && isAck(ack)) {
			ack({
				ok: false,
				error: new ProtocolError('unknown_event', `no event ${event}`).toBody(),
			});
		}
	});
}

function isAck(value: unknown): value is (reply: unknown) => void {
	return typeof value === 'function';
}
