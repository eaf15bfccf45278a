// What the signaling benchmark's orchestrator and its load processes say to
// each other over IPC.

export type LoadMode = 'socketio' | 'ws';

/**
 * Which client a socket.io member is: socket.io's protocol through its
 * parsers (benchmarks/LeanSocketIoClient.ts), or the full socket.io-client.
 */
export type SocketIoClientKind = 'lean' | 'socket.io-client';

export type ToLoader =
	| {
			type: 'join';
			mode: LoadMode;
			client: SocketIoClientKind;
			urls: string[];
			count: number;
			classId: string;
	  }
	| { type: 'measure' }
	| { type: 'report' }
	| { type: 'close' };

export type FromLoader =
	| { type: 'joined'; joinMs: number[]; lastJoinedAt: number; failed: number }
	| {
			type: 'report';
			received: number;
			/** Latency in ms (send to receipt) to how many messages took it. */
			histogram: Record<number, number>;
			/** The same from the server's acceptance of the message (its `at`) on. */
			fromServer: Record<number, number>;
	  }
	| { type: 'closed' };

/** Chat text of the benchmark: when it was sent and its sequence number. */
export const benchText = (sentAt: number, seq: number): string => `bench:${sentAt}:${seq}`;

/** The send time in a benchmark text, or undefined for any other text. */
export function sentAtOf(text: string): number | undefined {
	if (!text.startsWith('bench:')) {
		return undefined;
	}

	return Number.parseInt(text.slice(6), 10);
}
