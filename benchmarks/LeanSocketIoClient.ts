// A socket.io client for load generation: the Socket.IO v5 protocol over
// Engine.IO v4 on a WebSocket, framed and parsed by socket.io's own
// engine.io-parser and socket.io-parser, without socket.io-client's manager,
// reconnection, timers and per-packet emitters.
//
// The signaling benchmark runs 10,000 members on the two cores it measures.
// Each frame socket.io-client receives costs about twice what a plain `ws`
// client spends on the same bytes, and that CPU is taken from the servers
// under test; real members each have a device of their own. The server sees
// the same handshake, the same auth, the same packets and pongs either way.

import { decodePacket, encodePacket, type Packet } from 'engine.io-parser';
import { Decoder, Encoder, PacketType } from 'socket.io-parser';
import WebSocket from 'ws';

type Listener = (...args: unknown[]) => void;

const encoder = new Encoder();

export class LeanSocketIoClient {
	readonly #ws: WebSocket;
	readonly #decoder = new Decoder();
	readonly #listeners = new Map<string, Listener>();

	/** Resolves once the server accepted the socket.io connection with `auth`. */
	readonly connected: Promise<void>;

	constructor(url: string, auth: Record<string, unknown>) {
		const endpoint = new URL('/socket.io/', url);

		endpoint.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';
		endpoint.search = 'EIO=4&transport=websocket';
		this.#ws = new WebSocket(endpoint);

		this.connected = new Promise((resolve, reject) => {
			this.#decoder.on('decoded', (packet: { type: PacketType; data?: unknown }) => {
				if (packet.type === PacketType.CONNECT) {
					resolve();
				} else if (packet.type === PacketType.CONNECT_ERROR) {
					reject(new Error(`connect_error: ${JSON.stringify(packet.data)}`));
				} else if (packet.type === PacketType.EVENT && Array.isArray(packet.data)) {
					const [event, ...args] = packet.data as [string, ...unknown[]];

					this.#listeners.get(event)?.(...args);
				}
			});
			this.#ws.once('error', reject);
			this.#ws.once('close', () => reject(new Error('closed before connecting')));
		});

		this.#ws.on('message', (data: Buffer) => {
			this.#onEnginePacket(decodePacket(data.toString('utf8')), auth);
		});
	}

	/** One listener per event, enough for a load client. */
	on(event: string, listener: Listener): void {
		this.#listeners.set(event, listener);
	}

	close(): void {
		this.#ws.close();
	}

	#onEnginePacket(packet: Packet, auth: Record<string, unknown>): void {
		switch (packet.type) {
			case 'open':
				// The Engine.IO session is open: join the default namespace.
				for (const encoded of encoder.encode({
					type: PacketType.CONNECT,
					nsp: '/',
					data: auth,
				})) {
					this.#send({ type: 'message', data: encoded as string });
				}
				break;
			case 'ping':
				this.#send({ type: 'pong' });
				break;
			case 'message':
				this.#decoder.add(packet.data);
				break;
			case 'close':
				this.#ws.close();
				break;
			default:
				break;
		}
	}

	#send(packet: Packet): void {
		// Text packets (all this client sends) encode to strings.
		encodePacket(packet, false, (encoded: string) => {
			this.#ws.send(encoded);
		});
	}
}
