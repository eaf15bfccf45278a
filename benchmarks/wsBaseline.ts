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
	let pending: ChatMessage[] = [];
	let sent = 0;
	const sender = setInterval(() => {
		pending.push({
			id: randomUUID(),
			userId: randomUUID(),
			displayName: 'Sender',
			text: benchText(Date.now(), sent),
			at: Date.now(),
		});
		sent++;
	}, 1000 / message.rate);
	const ticker = setInterval(() => {
		if (pending.length === 0) {
			return;
		}

		const frame = `42${JSON.stringify(['chat:batch', pending])}`;

		pending = [];
		for (const client of wss.clients) {
			client.send(frame);
		}
	}, message.tickMs);

	setTimeout(() => {
		clearInterval(sender);
		setTimeout(() => {
			clearInterval(ticker);
			process.send?.({ type: 'done', sent });
		}, message.tickMs * 2);
	}, message.seconds * 1000);
});
