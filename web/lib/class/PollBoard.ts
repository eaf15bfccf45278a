// The class's polls as a member sees them: each open poll with its options
// (one choice or several), answered once; the result when the teacher
// closes it. A poll answered in another tab shows as answered after a
// reload; one answered meanwhile is refused by the server, and the refusal
// is shown under it.

import type { PollView, Tally } from '../../../signaling/protocol/class.ts';
import type { ClassClient } from '../ClassClient.ts';
import { h } from './dom.ts';
import { FeedbackLine } from './FeedbackLine.ts';
import { renderTally } from './TallyView.ts';

/** Closed polls kept on screen with their results. */
const CLOSED_KEPT = 3;

interface Card {
	poll: PollView;
	element: HTMLElement;
	body: HTMLElement;
	feedback: FeedbackLine;
	open: boolean;
}

export class PollBoard {
	readonly #client: ClassClient;
	readonly #empty = h('p', {}, 'No poll is open.');
	readonly #list = h('div', { className: 'polls' });
	readonly #cards = new Map<string, Card>();

	constructor(client: ClassClient, host: HTMLElement) {
		this.#client = client;
		host.append(this.#empty, this.#list);
		client.onWelcome(({ openPolls, answered }) => {
			const open = new Set(openPolls.map((poll) => poll.pollId));

			// A poll that closed while this page was away: fetch its result.
			for (const card of this.#cards.values()) {
				if (card.open && !open.has(card.poll.pollId)) {
					void this.#fetchResult(card);
				}
			}

			for (const poll of openPolls) {
				this.#add(poll, answered.includes(poll.pollId));
			}
		});
		client.on('poll:opened', (poll) => this.#add(poll, false));
		client.on('poll:closed', ({ pollId, tally }) => {
			const card = this.#cards.get(pollId);

			if (card !== undefined) {
				this.#close(card, tally);
			}
		});
	}

	#add(poll: PollView, answered: boolean): void {
		const known = this.#cards.get(poll.pollId);

		if (known?.open === true) {
			if (answered) {
				this.#showAnswered(known);
			}

			return;
		}

		const card: Card = {
			poll,
			element: h('article', { className: 'poll', ariaLabel: `Poll: ${poll.question}` }),
			body: h('div', {}),
			feedback: new FeedbackLine(),
			open: true,
		};

		card.element.append(h('h3', {}, poll.question), card.body, card.feedback.element);
		this.#cards.set(poll.pollId, card);
		this.#list.prepend(card.element);
		this.#empty.hidden = true;
		if (answered) {
			this.#showAnswered(card);
		} else {
			card.body.append(this.#form(card));
		}
	}

	#form(card: Card): HTMLFormElement {
		const { poll } = card;
		const type = poll.multiple ? 'checkbox' : 'radio';
		const inputs = poll.options.map((_, index) =>
			h('input', { type, name: `poll-${poll.pollId}`, value: String(index) }),
		);
		const answer = h('button', { type: 'submit', textContent: 'Answer' });
		const form = h(
			'form',
			{},
			h(
				'fieldset',
				{},
				h('legend', {}, poll.multiple ? 'Choose one or more' : 'Choose one'),
				...poll.options.map((option, index) =>
					h('label', { className: 'choice' }, inputs[index] ?? '', ` ${option}`),
				),
			),
			answer,
		);

		form.addEventListener('submit', (event) => {
			event.preventDefault();

			const choices = inputs.flatMap((input, index) => (input.checked ? [index] : []));

			if (choices.length === 0) {
				card.feedback.show('Choose an option first.');

				return;
			}

			answer.disabled = true;
			void card.feedback
				.attempt(() => this.#client.request('poll:answer', { pollId: poll.pollId, choices }))
				.then((done) => {
					if (done === undefined) {
						answer.disabled = false;
					} else {
						this.#showAnswered(card);
					}
				});
		});

		return form;
	}

	#showAnswered(card: Card): void {
		for (const control of card.body.querySelectorAll('input, button')) {
			if (control instanceof HTMLInputElement || control instanceof HTMLButtonElement) {
				control.disabled = true;
			}
		}

		card.feedback.show('Your answer is in. The result shows when the poll closes.');
	}

	async #fetchResult(card: Card): Promise<void> {
		const reply = await card.feedback.attempt(() =>
			this.#client.request('poll:results', { pollId: card.poll.pollId }),
		);

		if (reply !== undefined && !reply.open) {
			this.#close(card, reply.tally);
		}
	}

	#close(card: Card, tally: Tally): void {
		card.open = false;
		card.body.replaceChildren(
			h('p', {}, 'Closed. Results:'),
			renderTally(card.poll.options, tally),
		);
		card.feedback.clear();

		const closed = [...this.#cards.values()].filter((known) => !known.open);

		for (const old of closed.slice(0, Math.max(0, closed.length - CLOSED_KEPT))) {
			old.element.remove();
			this.#cards.delete(old.poll.pollId);
		}

		this.#empty.hidden = this.#cards.size > 0;
	}
}
