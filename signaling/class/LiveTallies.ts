// Live tallies for the teacher: a poll or quiz that got answers is marked,
// and its tally goes to the teacher once per tick, not once per answer.

import type { Ballots } from './Ballots.ts';
import type { ClassIo } from './ClassIo.ts';
import { moderatorRoom } from './rooms.ts';

export class LiveTallies {
	readonly #ballots: Ballots;
	readonly #io: ClassIo;
	readonly #changed = new Map<string, { classId: string; id: string; kind: 'poll' | 'quiz' }>();

	constructor(ballots: Ballots, io: ClassIo) {
		this.#ballots = ballots;
		this.#io = io;
	}

	changed(classId: string, id: string, kind: 'poll' | 'quiz'): void {
		this.#changed.set(`${classId}/${id}`, { classId, id, kind });
	}

	async publishChanges(): Promise<void> {
		const changed = [...this.#changed.values()];

		this.#changed.clear();
		for (const { classId, id, kind } of changed) {
			const ballot = await this.#ballots.get(classId, id);

			if (ballot === undefined) {
				continue;
			}

			const tally = await this.#ballots.tally(classId, id, ballot.options.length);
			const room = this.#io.to(moderatorRoom(classId));

			if (kind === 'poll') {
				room.emit('poll:tally', { pollId: id, tally });
			} else {
				room.emit('quiz:tally', { questionId: id, tally });
			}
		}
	}
}
