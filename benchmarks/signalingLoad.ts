// One load process of the signaling benchmark: opens its share of the
// clients (socket.io members of the class, or plain WebSockets to the
// baseline), times their joins, then counts every chat message they receive
// and how long it took.

import { randomUUID } from 'node:crypto';
import { setPriority } from 'node:os';

import { io as connect, type Socket } from 'socket.io-client';
import WebSocket from 'ws';

import { parseSigningKeys, signJoinToken } from '../common/auth/JoinToken.ts';
import type { ChatMessage, ServerToClientEvents } from '../signaling/protocol/class.ts';
import { LeanSocketIoClient } from './LeanSocketIoClient.ts';
import {
	sentAtOf,
	type FromLoader,
	type LoadMode,
	type SocketIoClientKind,
	type ToLoader,
} from './loadMessages.ts';

/** Handshakes in flight at once per load process. */
const CONCURRENCY = 200;

/** Below the servers' 0, so a frame's wake-up does not preempt them. */
const LOAD_NICENESS = 10;

// NOTE: the load processes run at a lower CPU priority than the servers they
// measure. At full priority each frame a member receives woke its process,
// which then preempted the server still writing the same batch to other
// sockets: about 6,000 preemptions a second on the servers, each switch paid
// twice. Members on devices of their own never take a server's CPU at all.
setPriority(LOAD_NICENESS);

const [key] = parseSigningKeys(process.env.JOIN_TOKEN_KEYS ?? '');
const sockets: { close(): void }[] = [];
let measuring = false;
let received = 0;
let histogram: Record<number, number> = {};
let fromServer: Record<number, number> = {};

function send(message: FromLoader): void {
	process.send?.(message);
}

function count(messages: readonly { text: string; at: number }[]): void {
	if (!measuring) {
		return;
	}

	const now = Date.now();

	for (const message of messages) {
		const sentAt = sentAtOf(message.text);

		if (sentAt !== undefined) {
			const latency = Math.max(0, now - sentAt);

			received++;
			const sinceServer = Math.max(0, now - message.at);

			histogram[latency] = (histogram[latency] ?? 0) + 1;
			fromServer[sinceServer] = (fromServer[sinceServer] ?? 0) + 1;
		}
	}
}

async function openSocketIo(
	url: string,
	classId: string,
	client: SocketIoClientKind,
): Promise<void> {
	if (key === undefined) {
		throw new Error('JOIN_TOKEN_KEYS is not set');
	}

	const token = signJoinToken(
		key,
		{
			classId,
			userId: randomUUID(),
			displayName: 'Load client',
			role: 'audience',
			grants: { publish: false, moderate: false },
		},
		3600,
	);

	if (client === 'lean') {
		const socket = new LeanSocketIoClient(url, { token });
		const welcomed = new Promise<void>((resolve) => {
			socket.on('class:welcome', () => resolve());
		});

		sockets.push(socket);
		socket.on('chat:batch', (messages) => count(messages as ChatMessage[]));
		await socket.connected;
		await welcomed;

		return;
	}

	const socket: Socket<ServerToClientEvents> = connect(url, {
		auth: { token },
		transports: ['websocket'],
		reconnection: false,
		timeout: 60_000,
	});

	sockets.push(socket);
	socket.on('chat:batch', (messages: ChatMessage[]) => count(messages));
	await new Promise<void>((resolve, reject) => {
		socket.once('class:welcome', () => resolve());
		socket.once('connect_error', reject);
	});
}

async function openWs(url: string): Promise<void> {
	const socket = new WebSocket(url);

	sockets.push(socket);
	socket.on('message', (data: Buffer) => {
		// The same frame a socket.io client gets: `42["chat:batch",[...]]`.
		const parsed = JSON.parse(data.toString('utf8').slice(2)) as [string, ChatMessage[]];

		count(parsed[1]);
	});
	await new Promise<void>((resolve, reject) => {
		socket.once('open', () => resolve());
		socket.once('error', reject);
	});
}

async function join(
	mode: LoadMode,
	client: SocketIoClientKind,
	urls: string[],
	total: number,
	classId: string,
) {
	const joinMs: number[] = [];
	let failed = 0;
	let nextIndex = 0;
	let lastJoinedAt = 0;

	async function worker(): Promise<void> {
		while (nextIndex < total) {
			const index = nextIndex++;
			const url = urls[index % urls.length] ?? '';
			const started = Date.now();

			try {
				await (mode === 'socketio' ? openSocketIo(url, classId, client) : openWs(url));
				lastJoinedAt = Date.now();
				joinMs.push(lastJoinedAt - started);
			} catch {
				failed++;
			}
		}
	}

	await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
	send({ type: 'joined', joinMs, lastJoinedAt, failed });
}

process.on('message', (message: ToLoader) => {
	switch (message.type) {
		case 'join':
			void join(message.mode, message.client, message.urls, message.count, message.classId);
			break;
		case 'measure':
			measuring = true;
			received = 0;
			histogram = {};
			fromServer = {};
			break;
		case 'report':
			send({ type: 'report', received, histogram, fromServer });
			break;
		case 'close':
			for (const socket of sockets.splice(0)) {
				socket.close();
			}

			send({ type: 'closed' });
			break;
	}
});
