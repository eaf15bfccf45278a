// The baseline of the signaling benchmark: a plain `ws` server that batches
// the same chat messages per tick and sends every client the same bytes a
// socket.io member gets, on the same schedule (its clients in the signaling
// processes' delivery slots, one slot per tenth of a tick), with no rooms, no
// Redis and no acks.

import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import WebSocket, { WebSocketServer } from 'ws';

import { DELIVERY_SLOTS } from '../signaling/class/ChatDelivery.ts';
import type { ChatMessage } from '../signaling/protocol/class.ts';
import { benchText } from './loadMessages.ts';

export type ToBaseline = { type: 'chat'; rate: number; seconds: number; tickMs: number };
export type FromBaseline = { type: 'listening'; port: number } | { type: 'done'; sent: number };

const http = createServer();
const wss = new WebSocketServer({ server: http });
/** The clients of each delivery slot, filled in turn as they connect. */
const slots: Set<WebSocket>[] = Array.from({ length: DELIVERY_SLOTS }, () => new Set());
let connected = 0;

wss.on('connection', (client) => {
	const slot = slots[connected++ % DELIVERY_SLOTS];

	slot?.add(client);
	client.on('close', () => slot?.delete(client));
});

http.listen(0, '127.0.0.1', () => {
	process.send?.({ type: 'listening', port: (http.address() as AddressInfo).port });
});

process.on('message', (message: ToBaseline) => {
	const started = Date.now();
	const total = message.rate * message.seconds;
	let sent = 0;

	// Messages are made at their due times even when the loop runs late, and
	// carry their due time, so a busy server shows as latency, not as fewer messages.
	const pending: ChatMessage[][] = slots.map(() => []);
	let turn = 0;
	const ticker = setInterval(() => {
		const due = Math.min(total, Math.floor(((Date.now() - started) * message.rate) / 1000) + 1);

		for (; sent < due; sent++) {
			const at = started + (sent * 1000) / message.rate;
			const chat: ChatMessage = {
				id: randomUUID(),
				userId: randomUUID(),
				displayName: 'Sender',
				text: benchText(at, sent),
				at,
			};

			for (const batch of pending) {
				batch.push(chat);
			}
		}

		const batch = pending[turn] ?? [];

		if (batch.length > 0) {
			const frame = `42${JSON.stringify(['chat:batch', batch])}`;

			for (const client of slots[turn] ?? []) {
				client.send(frame);
			}
		}

		pending[turn] = [];
		turn = (turn + 1) % DELIVERY_SLOTS;
		if (sent >= total && pending.every((rest) => rest.length === 0)) {
			clearInterval(ticker);
			process.send?.({ type: 'done', sent });
		}
	}, message.tickMs / DELIVERY_SLOTS);
});
