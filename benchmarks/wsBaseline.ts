// The baseline of the signaling benchmark: a plain `ws` server that batches
// the same chat messages per tick and sends every client the same bytes a
// socket.io member gets, with no rooms, no Redis and no acks.

import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { WebSocketServer } from 'ws';

import type { ChatMessage } from '../signaling/protocol/class.ts';
import { benchText } from './loadMessages.ts';

export type ToBaseline = { type: 'chat'; rate: number; seconds: number; tickMs: number };
export type FromBaseline = { type: 'listening'; port: number } | { type: 'done'; sent: number };

const http = createServer();
const wss = new WebSocketServer({ server: http });

http.listen(0, '127.0.0.1', () => {
	process.send?.({ type: 'listening', port: (http.address() as AddressInfo).port });
});

process.on('message', (message: ToBaseline) => {
	const started = Date.now();
	const total = message.rate * message.seconds;
	let sent = 0;

	// Messages are made at their due times even when the loop runs late, and
	// carry their due time, so a busy server shows as latency, not as fewer messages.
	const ticker = setInterval(() => {
		const due = Math.min(total, Math.floor(((Date.now() - started) * message.rate) / 1000) + 1);
		const batch: ChatMessage[] = [];

		for (; sent < due; sent++) {
			const at = started + (sent * 1000) / message.rate;

			batch.push({
				id: randomUUID(),
				userId: randomUUID(),
				displayName: 'Sender',
				text: benchText(at, sent),
				at,
			});
		}

		if (batch.length > 0) {
			const frame = `42${JSON.stringify(['chat:batch', batch])}`;

			for (const client of wss.clients) {
				client.send(frame);
			}
		}

		if (sent >= total) {
			clearInterval(ticker);
			process.send?.({ type: 'done', sent });
		}
	}, message.tickMs);
});
