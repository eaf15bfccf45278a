// Polls: the teacher asks, members answer once (one choice or several), the
// teacher watches the tally live, everyone sees the result when it closes,
// and the result is kept in MongoDB.

import type { JoinClaims } from '../../common/auth/JoinToken.ts';
import type { PollView, Tally } from '../protocol/class.ts';
import type { Analytics } from './Analytics.ts';
import type { Ballot, Ballots } from './Ballots.ts';
import type { ClassIo } from './ClassIo.ts';
import type { ClassTimeline } from './ClassTimeline.ts';
import type { LiveTallies } from './LiveTallies.ts';
import { classRoom } from './rooms.ts';
import type { WriteBehind } from './WriteBehind.ts';

export const RESULTS_COLLECTION = 'class_results';

export interface PollsOptions {
	ballots: Ballots;
	io: ClassIo;
	tallies: LiveTallies;
	results: WriteBehind;
	analytics: Analytics;
	timeline: ClassTimeline;
}

export class Polls {
	readonly #options: PollsOptions;

	constructor(options: PollsOptions) {
		this.#options = options;
	}

	async open(
		classId: string,
		poll: { question: string; options: string[]; multiple: boolean },
	): Promise<PollView> {
		// The timeline entry is in the transaction that opens the poll: the
		// replay has every poll members could answer, at no extra round trip.
		const ballot = await this.#options.ballots.open(
			classId,
			{ kind: 'poll', ...poll },
			(transaction, opened) => {
				this.#options.timeline.addTo(transaction, classId, opened.openedAt, {
					type: 'poll',
					data: { phase: 'opened', ...pollView(opened) },
				});
			},
		);
		const view = pollView(ballot);

		this.#options.io.to(classRoom(classId)).emit('poll:opened', view);

		return view;
	}

	async answer(claims: JoinClaims, pollId: string, choices: number[]): Promise<void> {
		await this.#options.ballots.answer(claims, pollId, 'poll', choices);
		this.#options.tallies.changed(claims.classId, pollId, 'poll');
		this.#options.analytics.record({
			classId: claims.classId,
			userId: claims.userId,
			type: 'answer',
			at: new Date(),
			pollId,
		});
	}

	async close(classId: string, pollId: string): Promise<Tally> {
		const { ballot, tally } = await this.#options.ballots.close(classId, pollId, 'poll');

		this.#options.io.to(classRoom(classId)).emit('poll:closed', { pollId, tally });

		// The result and its timeline entry are stored in one round trip
		// before the teacher is answered.
		const result = resultDocument(ballot, tally);

		await this.#options.results.append([{ op: 'insert', doc: result }], (pipeline) => {
			this.#options.timeline.addTo(pipeline, classId, result.at, {
				type: 'poll',
				data: { phase: 'closed', pollId, tally },
			});
		});

		return tally;
	}

	async results(classId: string, pollId: string): Promise<{ open: boolean; tally: Tally }> {
		const ballot = await this.#options.ballots.get(classId, pollId);

		if (ballot?.kind !== 'poll') {
			return { open: false, tally: { counts: [], voters: 0 } };
		}

		return {
			open: ballot.open,
			tally: await this.#options.ballots.tally(classId, pollId, ballot.options.length),
		};
	}

	async openPolls(classId: string): Promise<PollView[]> {
		const ids = await this.#options.ballots.openIds(classId, 'poll');
		const ballots = await Promise.all(ids.map((id) => this.#options.ballots.get(classId, id)));

		return ballots.flatMap((ballot) => (ballot === undefined ? [] : [pollView(ballot)]));
	}
}

function pollView(ballot: Ballot): PollView {
	return {
		pollId: ballot.id,
		question: ballot.question,
		options: ballot.options,
		multiple: ballot.multiple,
	};
}

/** The durable record of a closed poll or quiz question. */
export function resultDocument(ballot: Ballot, tally: Tally) {
	return {
		_id: ballot.id,
		classId: ballot.classId,
		kind: ballot.kind,
		question: ballot.question,
		options: ballot.options,
		...(ballot.correct === undefined ? {} : { correct: ballot.correct }),
		counts: tally.counts,
		voters: tally.voters,
		openedAt: ballot.openedAt,
		at: Date.now(),
	};
}
