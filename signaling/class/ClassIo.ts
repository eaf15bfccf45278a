// The typed socket.io server of the interactive class.

import type { Server, Socket } from 'socket.io';

import type { SocketData } from '../authenticate.ts';
import type { ChatMessage, ClientToServerEvents, ServerToClientEvents } from '../protocol/class.ts';

export interface InterServerEvents {
	'stage:changed': (event: { classId: string; userId: string; onStage: boolean }) => void;
	/** A class message accepted on another process, for this one to deliver to its members. */
	'chat:accepted': (event: { classId: string; message: ChatMessage }) => void;
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
