// The pages' side of the interactive class protocol: typed requests that
// resolve with the ack's data or reject with a RequestError carrying the
// refusal's code, typed listeners for what the server pushes, and the
// latest `class:welcome`, which arrives again after every reconnection.
//
// The teacher studio and the stage page wrap the socket their media session
// already holds; the audience page opens one of its own.

import { io, type Socket } from 'socket.io-client';

import type {
	ClassReply,
	ClassRequest,
	ClassRequestName,
	ClientToServerEvents,
	ServerToClientEvents,
	Welcome,
} from '../../signaling/protocol/class.ts';
import type { Ack } from '../../signaling/protocol/errors.ts';
import { RequestError } from './RequestError.ts';

export type ClassSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

type PushName = keyof ServerToClientEvents;
type Push<Name extends PushName> = Parameters<ServerToClientEvents[Name]>[0];

const REQUEST_TIMEOUT_MS = 10_000;

export class ClassClient {
	readonly socket: ClassSocket;
	#welcome: Welcome | undefined;
	readonly #welcomeListeners: ((welcome: Welcome) => void)[] = [];
	/** The server's clock minus this browser's, from the latest welcome. */
	#clockOffsetMs = 0;

	constructor(socket: ClassSocket) {
		this.socket = socket;
		this.on('class:welcome', (welcome) => {
			this.#welcome = welcome;
			// NOTE: off by the welcome's time in flight, tens of milliseconds,
			// where a browser's clock can be off by minutes.
			this.#clockOffsetMs = welcome.serverTime - Date.now();
			for (const listener of this.#welcomeListeners) {
				listener(welcome);
			}
		});
	}

	/** A client on a socket of its own, for a page that carries no media. */
	static connect(origin: string, token: string): ClassClient {
		const socket: ClassSocket = io(origin, {
			auth: { token },
			transports: ['websocket'],
			reconnectionDelay: 250,
			reconnectionDelayMax: 2000,
		});

		return new ClassClient(socket);
	}

	/** The latest welcome; undefined until the class has welcomed this socket. */
	get welcome(): Welcome | undefined {
		return this.#welcome;
	}

	/** This member's user id, once welcomed. */
	get userId(): string | undefined {
		return this.#welcome?.userId;
	}

	/** The time on the server's clock, as this page estimates it. */
	serverNow(): number {
		return Date.now() + this.#clockOffsetMs;
	}

	/** Calls `listener` with every welcome, the one already received included. */
	onWelcome(listener: (welcome: Welcome) => void): void {
		this.#welcomeListeners.push(listener);
		if (this.#welcome !== undefined) {
			listener(this.#welcome);
		}
	}

	on<Name extends PushName>(name: Name, listener: (payload: Push<Name>) => void): void {
		// NOTE: socket.io's typed `on` cannot follow a generic event name, so the
		// listener is registered on the untyped view of the same socket.
		const untyped: Socket = this.socket;
		const event: string = name;

		untyped.on(event, listener);
	}

	/** Sends a request; resolves with the ack's data, rejects with the refusal. */
	async request<Name extends ClassRequestName>(
		name: Name,
		payload: ClassRequest<Name>,
	): Promise<ClassReply<Name>> {
		const untyped: Socket = this.socket;
		const reply: unknown = await untyped.timeout(REQUEST_TIMEOUT_MS).emitWithAck(name, payload);

		if (!isAck(reply)) {
			throw new Error(`${name}: the server sent no acknowledgement`);
		}

		if (!reply.ok) {
			throw new RequestError(reply.error);
		}

		return reply.data as ClassReply<Name>;
	}

	close(): void {
		this.socket.close();
	}
}

function isAck(value: unknown): value is Ack<unknown> {
	return typeof value === 'object' && value !== null && 'ok' in value;
}
