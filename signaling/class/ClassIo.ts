// The typed socket.io server of the interactive class.

import type { Server, Socket } from 'socket.io';

import type { SocketData } from '../authenticate.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../protocol/class.ts';

export interface InterServerEvents {
	'stage:changed': (event: { classId: string; userId: string; onStage: boolean }) => void;
}

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
