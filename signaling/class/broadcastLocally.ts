// Class-wide events to this process's own members, a few hundred sockets
// per turn of the event loop. Writing to the 5,000 members of a process at
// once held its event loop for tens of milliseconds, and every chat:send
// and Redis answer that arrived meanwhile waited. Each chunk is one local
// broadcast to the sockets' own rooms, so its frame is still encoded once.

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

import type { ServerToClientEvents } from '../protocol/class.ts';
import type { ClassIo } from './ClassIo.ts';

/** Sockets written per turn of the event loop. */
const CHUNK = 500;

/** Sends the event to every socket in the room on this process; resolves once all are written. */
export async function broadcastLocally<Event extends keyof ServerToClientEvents>(
	io: ClassIo,
	room: string,
	event: Event,
	...args: Parameters<ServerToClientEvents[Event]>
): Promise<void> {
	const members = io.sockets.adapter.rooms.get(room);

	if (members === undefined || members.size <= CHUNK) {
		// One turn's worth: the room itself, without copying out its sockets.
		io.local.to(room).emit(event, ...args);

		return;
	}

	const sockets = [...members];

	for (let start = 0; start < sockets.length; start += CHUNK) {
		if (start > 0) {
			await yieldToEventLoop();
		}

		io.local.to(sockets.slice(start, start + CHUNK)).emit(event, ...args);
	}
}
