// The typed socket.io server of the interactive class.

import type { Server, Socket } from 'socket.io';

import type { SocketData } from '../authenticate.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../protocol/class.ts';

/**
 * None: processes relay events on a Redis stream (signaling/ProcessRelay.ts),
 * since the adapter's serverSideEmit does not survive a Redis reconnect.
 */
export type InterServerEvents = Record<string, never>;

export type ClassIo = Server<
	ClientToServerEvents,
	ServerToClientEvents,
	InterServerEvents,
	SocketData
>;

export type ClassSocket = Socket<
	ClientToServerEvents,
	ServerToClientEvents,
	InterServerEvents,
	SocketData
>;
