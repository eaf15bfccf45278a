// The quiz as a member sees it: the open question with its options and the
// time left, one answer per member, then the right answer, the tally and the
// leaderboard when it closes. A member joining mid-question gets it from the
// welcome and can still answer.

import type { LeaderboardEntry, QuizView, Tally } from '../../../signaling/protocol/class.ts';
import type { ClassClient } from '../ClassClient.ts';
import { Countdown } from './Countdown.ts';
import { h } from './dom.ts';
import { FeedbackLine } from './FeedbackLine.ts';
import { renderLeaderboard } from './LeaderboardView.ts';
import { renderTally } from './TallyView.ts';

interface Card {
	quiz: QuizView;
	element: HTMLElement;
	body: HTMLElement;
	countdown: Countdown;
	feedback: FeedbackLine;
	/** The option this member chose, once the server took it. */
	chosen: number | undefined;
	open: boolean;
}

export class QuizBoard {
	readonly #client: ClassClient;
	readonly #empty = h('p', {}, 'No quiz question is open.');
	readonly #list = h('div', { className: 'quizzes' });
	readonly #cards = new Map<string, Card>();

	constructor(client: ClassClient, host: HTMLElement) {
		this.#client = client;
		host.append(this.#empty, this.#list);
		client.onWelcome(({ openQuestions, answered }) => {
			for (const quiz of openQuestions) {
				this.#add(quiz, answered.includes(quiz.questionId));
			}
		});
		client.on('quiz:question', (quiz) => this.#add(quiz, false));
		client.on('quiz:closed', (result) => this.#close(result));
	}

	#add(quiz: QuizView, answered: boolean): void {
		const known = this.#cards.get(quiz.questionId);

		if (known !== undefined) {
			if (answered && known.open) {
				this.#disable(known, 'You have answered this question.');
			}

			return;
		}

		// Only the newest question stays on screen: the one before it is done.
		for (const old of this.#cards.values()) {
			old.countdown.stop();
			old.element.remove();
		}

		this.#cards.clear();

		const card: Card = {
			quiz,
			element: h('article', { className: 'quiz', ariaLabel: `Quiz: ${quiz.question}` }),
			body: h('div', { className: 'quiz-options' }),
			countdown: new Countdown(quiz.closesAt, () => this.#client.serverNow()),
			feedback: new FeedbackLine(),
			chosen: undefined,
			open: true,
		};

		card.body.append(
			...quiz.options.map((option, index) => this.#optionButton(card, option, index)),
		);
		card.element.append(
			h('h3', {}, quiz.question),
			card.countdown.element,
			card.body,
			card.feedback.element,
		);
		this.#cards.set(quiz.questionId, card);
		this.#list.append(card.element);
		this.#empty.hidden = true;
		if (answered) {
			this.#disable(card, 'You have answered this question.');
		}

		card.countdown.start(() => {
			if (card.open) {
				this.#disable(card, card.chosen === undefined ? 'You did not answer in time.' : undefined);
			}
		});
	}

	#optionButton(card: Card, option: string, index: number): HTMLButtonElement {
		const button = h('button', { type: 'button', textContent: option });

		button.addEventListener('click', () => {
			void card.feedback
				.attempt(() =>
					this.#client.request('quiz:answer', {
						questionId: card.quiz.questionId,
						choice: index,
					}),
				)
				.then((done) => {
					if (done !== undefined) {
						card.chosen = index;
						button.ariaPressed = 'true';
						this.#disable(card, `Your answer: ${option}.`);
					}
				});
		});

		return button;
	}

	#disable(card: Card, text: string | undefined): void {
		for (const button of card.body.querySelectorAll('button')) {
			button.disabled = true;
		}

		if (text !== undefined) {
			card.feedback.show(text);
		}
	}

	#close(result: {
		questionId: string;
		correct: number;
		tally: Tally;
		leaderboard: LeaderboardEntry[];
	}): void {
		const card = this.#cards.get(result.questionId);

		if (card === undefined) {
			return;
		}

		const right = card.quiz.options[result.correct] ?? '';
		const verdict =
			card.chosen === undefined
				? ''
				: card.chosen === result.correct
					? ' You were right.'
					: ' Not this time.';

		card.open = false;
		card.countdown.stop();
		card.countdown.element.textContent = 'Closed.';
		card.feedback.show(`The right answer: ${right}.${verdict}`);
		card.body.replaceChildren(
			renderTally(card.quiz.options, result.tally, result.correct),
			h('h4', {}, 'Leaderboard'),
			renderLeaderboard(result.leaderboard, this.#client.userId),
		);
	}
}
