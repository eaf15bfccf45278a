// Class chat to this process's own members: one `chat:batch` frame per
// member per tick, with the members' frames spread over the tick. Each
// member joins one of DELIVERY_SLOTS slots of its class when it connects
// (the least filled on this process); every tick / DELIVERY_SLOTS one slot
// gets, in one frame per class, the messages that arrived since its last turn.
//
// NOTE: a member waits up to a tick for a message either way; what the slots
// change is how much is written at once. Writing to every member at the tick
// kept both cores busy for a burst of about 100 ms in bench:signaling (5,000
// members on each of two processes, both ticking together), and the members
// written last got their frame that much later: p99 400-610 ms at a 250 ms
// tick. In slots a process writes a tenth of its members at a time.

import type { ChatMessage } from '../protocol/class.ts';
import { broadcastLocally } from './broadcastLocally.ts';
import type { ClassIo, ClassSocket } from './ClassIo.ts';
import { chatSlotRoom } from './rooms.ts';

/** Turns per tick; every member of a class is in the slot of one of them. */
export const DELIVERY_SLOTS = 10;

interface Slot {
	/** Messages not yet sent to this slot's members, per class. */
	pending: Map<string, ChatMessage[]>;
	/** The delivery going out, if any. */
	delivering: Promise<void> | undefined;
	/** The slot's turn came while its delivery was going out. */
	missed: boolean;
}

export class ChatDelivery {
	readonly #io: ClassIo;
	readonly #slots: Slot[] = Array.from({ length: DELIVERY_SLOTS }, () => ({
		pending: new Map(),
		delivering: undefined,
		missed: false,
	}));
	readonly #ticker: NodeJS.Timeout;
	#turn = 0;

	constructor(io: ClassIo, tickMs: number) {
		this.#io = io;
		this.#ticker = setInterval(() => {
			void this.#deliver(this.#turn);
			this.#turn = (this.#turn + 1) % DELIVERY_SLOTS;
		}, tickMs / DELIVERY_SLOTS);
		this.#ticker.unref();
	}

	/** Puts a member's socket in the least filled slot of its class on this process. */
	admit(socket: ClassSocket, classId: string): void {
		const rooms = this.#io.sockets.adapter.rooms;
		let chosen = 0;
		let fewest = Number.POSITIVE_INFINITY;

		for (let slot = 0; slot < DELIVERY_SLOTS; slot++) {
			const size = rooms.get(chatSlotRoom(classId, slot))?.size ?? 0;

			if (size < fewest) {
				chosen = slot;
				fewest = size;
			}
		}

		void socket.join(chatSlotRoom(classId, chosen));
	}

	/** Queues a class message for every slot's next turn. */
	enqueue(classId: string, message: ChatMessage): void {
		for (const slot of this.#slots) {
			const pending = slot.pending.get(classId);

			if (pending === undefined) {
				slot.pending.set(classId, [message]);
			} else {
				pending.push(message);
			}
		}
	}

	/** Delivers what is pending in every slot and stops the turns. */
	async close(): Promise<void> {
		clearInterval(this.#ticker);
		await Promise.all(
			this.#slots.map(async (slot, index) => {
				// A delivery going out sends what arrived meanwhile; then the rest.
				await slot.delivering;
				await this.#deliver(index);
			}),
		);
	}

	/**
	 * Sends what is pending for a slot, unless its delivery is still going
	 * out: then that delivery, once done, sends everything that arrived
	 * meanwhile at once. A delivery spans several turns of the event loop;
	 * queueing one per turn behind a slow one let a busy process fall seconds
	 * behind (p99 5.5 s in a run of bench:signaling), and holding the messages
	 * for the next turn instead added up to a tick to each.
	 */
	#deliver(index: number): Promise<void> {
		const slot = this.#slots[index];

		if (slot === undefined) {
			return Promise.resolve();
		}

		if (slot.delivering !== undefined) {
			slot.missed = true;

			return slot.delivering;
		}

		if (slot.pending.size === 0) {
			return Promise.resolve();
		}

		const pending = slot.pending;

		slot.pending = new Map();
		slot.delivering = (async () => {
			try {
				for (const [classId, messages] of pending) {
					await broadcastLocally(this.#io, chatSlotRoom(classId, index), 'chat:batch', messages);
				}
			} finally {
				slot.delivering = undefined;
			}

			if (slot.missed) {
				slot.missed = false;
				await this.#deliver(index);
			}
		})();

		return slot.delivering;
	}
}
