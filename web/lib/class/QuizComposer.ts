// The teacher's quiz: ask a timed question with its right answer, watch the
// tally while members answer, close it early or let the time run out, then
// see the right answer's share and the class leaderboard.

import type { LeaderboardEntry, QuizView, Tally } from '../../../signaling/protocol/class.ts';
import { POLL_MAX_OPTIONS } from '../../../signaling/protocol/limits.ts';
import type { ClassClient } from '../ClassClient.ts';
import { Countdown } from './Countdown.ts';
import { h } from './dom.ts';
import { FeedbackLine } from './FeedbackLine.ts';
import { renderLeaderboard } from './LeaderboardView.ts';
import { optionLines } from './optionLines.ts';
import { renderTally } from './TallyView.ts';

interface Card {
	quiz: QuizView;
	/** Known for questions asked from this page; a reloaded page asks for it (quiz:results). */
	correct: number | undefined;
	element: HTMLElement;
	countdown: Countdown;
	tally: HTMLElement;
	close: HTMLButtonElement;
	feedback: FeedbackLine;
	open: boolean;
}

export class QuizComposer {
	readonly #client: ClassClient;
	readonly #question = h('input', { type: 'text', maxLength: 300, required: true });
	readonly #options = h('textarea', { rows: 4, required: true });
	readonly #correct = h('select', {});
	readonly #seconds = h('input', { type: 'number', min: '5', max: '600', step: '1', value: '30' });
	readonly #feedback = new FeedbackLine();
	readonly #list = h('div', { className: 'quizzes' });
	#card: Card | undefined;

	constructor(client: ClassClient, host: HTMLElement) {
		this.#client = client;

		const form = h(
			'form',
			{ className: 'composer' },
			h('label', {}, 'Quiz question ', this.#question),
			h('label', {}, `Quiz options, one a line (2 to ${POLL_MAX_OPTIONS}) `, this.#options),
			h('label', {}, 'Right answer ', this.#correct),
			h('label', {}, 'Seconds to answer ', this.#seconds),
			h('button', { type: 'submit', textContent: 'Ask question' }),
		);

		host.append(form, this.#feedback.element, this.#list);
		this.#options.addEventListener('input', () => this.#offerAnswers());
		form.addEventListener('submit', (event) => {
			event.preventDefault();
			void this.#ask();
		});
		client.onWelcome(({ openQuestions }) => {
			for (const quiz of openQuestions) {
				this.#show(quiz, undefined);
				void this.#catchUp(quiz.questionId);
			}
		});
		client.on('quiz:question', (quiz) => this.#show(quiz, undefined));
		client.on('quiz:tally', ({ questionId, tally }) => {
			const card = this.#card;

			if (card?.open === true && card.quiz.questionId === questionId) {
				card.tally.replaceChildren(renderTally(card.quiz.options, tally, card.correct));
			}
		});
		client.on('quiz:closed', (result) => this.#closed(result));
	}

	/** Keeps the right-answer choices in step with the options typed. */
	#offerAnswers(): void {
		const chosen = this.#correct.selectedIndex;
		const options = optionLines(this.#options.value);

		this.#correct.replaceChildren(
			...options.map((option, index) => h('option', { value: String(index), textContent: option })),
		);
		this.#correct.selectedIndex = Math.min(Math.max(0, chosen), options.length - 1);
	}

	async #ask(): Promise<void> {
		const correct = Number(this.#correct.value);
		const quiz = await this.#feedback.attempt(() =>
			this.#client.request('quiz:ask', {
				question: this.#question.value,
				options: optionLines(this.#options.value),
				correct: Number.isInteger(correct) ? correct : 0,
				seconds: this.#seconds.valueAsNumber,
			}),
		);

		if (quiz === undefined) {
			return;
		}

		this.#feedback.show('The question is out.');
		this.#question.value = '';
		this.#options.value = '';
		this.#offerAnswers();
		this.#show(quiz, correct);
	}

	#show(quiz: QuizView, correct: number | undefined): void {
		if (this.#card?.quiz.questionId === quiz.questionId) {
			this.#card.correct ??= correct;

			return;
		}

		this.#card?.countdown.stop();
		this.#list.replaceChildren();

		const card: Card = {
			quiz,
			correct,
			element: h('article', { className: 'quiz', ariaLabel: `Quiz: ${quiz.question}` }),
			countdown: new Countdown(quiz.closesAt, () => this.#client.serverNow()),
			tally: h('div', {}),
			close: h('button', {
				type: 'button',
				textContent: 'Close question',
				ariaLabel: `Close the question: ${quiz.question}`,
			}),
			feedback: new FeedbackLine(),
			open: true,
		};

		card.tally.append(renderTally(quiz.options, { counts: [], voters: 0 }, correct));
		card.element.append(
			h('h3', {}, quiz.question),
			card.countdown.element,
			card.tally,
			card.close,
			card.feedback.element,
		);
		card.close.addEventListener('click', () => {
			card.close.disabled = true;
			void card.feedback
				.attempt(() => this.#client.request('quiz:close', { questionId: quiz.questionId }))
				.then((reply) => {
					if (reply === undefined) {
						card.close.disabled = false;
					}
				});
		});
		this.#card = card;
		this.#list.append(card.element);
		// The server closes the question when its time is up and sends quiz:closed.
		card.countdown.start(() => undefined);
	}

	/** On a reloaded page: an open question's right answer and its tally so far. */
	async #catchUp(questionId: string): Promise<void> {
		const card = this.#card;

		if (card?.quiz.questionId !== questionId) {
			return;
		}

		const reply = await card.feedback.attempt(() =>
			this.#client.request('quiz:results', { questionId }),
		);

		if (reply === undefined || this.#card !== card || !card.open) {
			return;
		}

		card.correct ??= reply.correct;
		card.tally.replaceChildren(renderTally(card.quiz.options, reply.tally, card.correct));
	}

	#closed(result: {
		questionId: string;
		correct: number;
		tally: Tally;
		leaderboard: LeaderboardEntry[];
	}): void {
		const card = this.#card;

		if (card?.quiz.questionId !== result.questionId || !card.open) {
			return;
		}

		card.open = false;
		card.countdown.stop();
		card.countdown.element.textContent = 'Closed.';
		card.close.remove();
		card.feedback.show(`The right answer: ${card.quiz.options[result.correct] ?? ''}.`);
		card.tally.replaceChildren(
			renderTally(card.quiz.options, result.tally, result.correct),
			h('h4', {}, 'Leaderboard'),
			renderLeaderboard(result.leaderboard),
		);
	}
}
