// Timed quiz questions with a right answer, and a leaderboard across the
// class's questions: a right answer earns 100 points plus up to 100 more for
// speed. A question closes when the teacher closes it or its time is up.

import type { Redis } from 'ioredis';

import type { JoinClaims } from '../../common/auth/JoinToken.ts';
import type { Logger } from '../../common/logger.ts';
import type { LeaderboardEntry, QuizView, Tally } from '../protocol/class.ts';
import type { Analytics } from './Analytics.ts';
import type { Ballot, Ballots } from './Ballots.ts';
import type { ClassIo } from './ClassIo.ts';
import type { ClassTimeline } from './ClassTimeline.ts';
import { classKeys } from './classKeys.ts';
import type { LiveTallies } from './LiveTallies.ts';
import { resultDocument } from './Polls.ts';
import { ProtocolError } from '../protocol/errors.ts';
import { classRoom } from './rooms.ts';
import type { WriteBehind } from './WriteBehind.ts';

const LEADERBOARD_SIZE = 10;

export interface QuizzesOptions {
	redis: Redis;
	ballots: Ballots;
	io: ClassIo;
	tallies: LiveTallies;
	results: WriteBehind;
	analytics: Analytics;
	timeline: ClassTimeline;
	logger: Logger;
}

export class Quizzes {
	readonly #options: QuizzesOptions;
	/** Timers that close questions asked on this process when their time is up. */
	readonly #timers = new Set<NodeJS.Timeout>();

	constructor(options: QuizzesOptions) {
		this.#options = options;
	}

	async ask(
		classId: string,
		quiz: { question: string; options: string[]; correct: number; seconds: number },
	): Promise<QuizView> {
		const closesAt = Date.now() + quiz.seconds * 1000;
		// As for polls: the question is asked only together with its timeline entry.
		const ballot = await this.#options.ballots.open(
			classId,
			{
				kind: 'quiz',
				question: quiz.question,
				options: quiz.options,
				multiple: false,
				correct: quiz.correct,
				closesAt,
			},
			(transaction, opened) => {
				this.#options.timeline.addTo(transaction, classId, opened.openedAt, {
					type: 'quiz',
					data: {
						phase: 'asked',
						questionId: opened.id,
						question: opened.question,
						options: opened.options,
						closesAt,
					},
				});
			},
		);
		const view = quizView(ballot);

		this.#options.io.to(classRoom(classId)).emit('quiz:question', view);

		// NOTE: if this process dies before the timer fires, answers still stop
		// at closesAt (the answer script checks it); the results then wait for
		// the teacher's quiz:close.
		const timer = setTimeout(() => {
			this.#timers.delete(timer);
			this.close(classId, ballot.id).catch((error: unknown) => {
				if (!(error instanceof ProtocolError)) {
					this.#options.logger.warn({ err: error, classId }, 'quiz did not close on time');
				}
			});
		}, quiz.seconds * 1000);

		this.#timers.add(timer);

		return view;
	}

	async answer(claims: JoinClaims, questionId: string, choice: number): Promise<void> {
		await this.#options.ballots.answer(claims, questionId, 'quiz', [choice]);
		this.#options.tallies.changed(claims.classId, questionId, 'quiz');
		this.#options.analytics.record({
			classId: claims.classId,
			userId: claims.userId,
			type: 'answer',
			at: new Date(),
			questionId,
		});
	}

	async close(classId: string, questionId: string): Promise<{ correct: number; tally: Tally }> {
		const { ballot, tally } = await this.#options.ballots.close(classId, questionId, 'quiz');
		const correct = ballot.correct ?? -1;
		const leaderboard = await this.leaderboard(classId);

		this.#options.io
			.to(classRoom(classId))
			.emit('quiz:closed', { questionId, correct, tally, leaderboard });

		const result = { ...resultDocument(ballot, tally), leaderboard };

		// As for polls: the result and its timeline entry in one round trip.
		await this.#options.results.append([{ op: 'insert', doc: result }], (pipeline) => {
			this.#options.timeline.addTo(pipeline, classId, result.at, {
				type: 'quiz',
				data: { phase: 'closed', questionId, correct, tally },
			});
		});

		return { correct, tally };
	}

	/**
	 * For the teacher: whether a question still takes answers, its right
	 * answer and its tally so far (a reloaded studio draws an open question
	 * from this, where the welcome carries neither).
	 */
	async results(
		classId: string,
		questionId: string,
	): Promise<{ open: boolean; correct: number; tally: Tally }> {
		const ballot = await this.#options.ballots.get(classId, questionId);

		if (ballot?.kind !== 'quiz') {
			throw new ProtocolError('not_found', 'no such quiz question in this class');
		}

		return {
			open: ballot.open,
			correct: ballot.correct ?? -1,
			tally: await this.#options.ballots.tally(classId, questionId, ballot.options.length),
		};
	}

	async leaderboard(classId: string): Promise<LeaderboardEntry[]> {
		const keys = classKeys(classId);
		const flat = await this.#options.redis.zrevrange(
			keys.leaderboard,
			0,
			LEADERBOARD_SIZE - 1,
			'WITHSCORES',
		);
		const entries: { userId: string; points: number }[] = [];

		for (let index = 0; index + 1 < flat.length; index += 2) {
			entries.push({ userId: flat[index] ?? '', points: Number(flat[index + 1]) });
		}

		if (entries.length === 0) {
			return [];
		}

		const names = await this.#options.redis.hmget(
			keys.leaderboardNames,
			...entries.map((entry) => entry.userId),
		);

		return entries.map((entry, index) => ({ ...entry, displayName: names[index] ?? '' }));
	}

	/** The questions that still take answers; one whose time is up is left out. */
	async openQuestions(classId: string): Promise<QuizView[]> {
		const ids = await this.#options.ballots.openIds(classId, 'quiz');
		const ballots = await Promise.all(ids.map((id) => this.#options.ballots.get(classId, id)));
		const now = Date.now();

		return ballots.flatMap((ballot) =>
			ballot?.open === true && (ballot.closesAt ?? 0) > now ? [quizView(ballot)] : [],
		);
	}

	stopTimers(): void {
		for (const timer of this.#timers) {
			clearTimeout(timer);
		}

		this.#timers.clear();
	}
}

function quizView(ballot: Ballot): QuizView {
	return {
		questionId: ballot.id,
		question: ballot.question,
		options: ballot.options,
		closesAt: ballot.closesAt ?? ballot.openedAt,
	};
}
