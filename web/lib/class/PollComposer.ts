// The teacher's polls: open one (single or multiple choice), watch its tally
// while members answer, close it, and keep the final result in view. The
// tally is the one every member sees when the poll closes.

import type { PollView, Tally } from '../../../signaling/protocol/class.ts';
import { POLL_MAX_OPTIONS } from '../../../signaling/protocol/limits.ts';
import type { ClassClient } from '../ClassClient.ts';
import { h } from './dom.ts';
import { FeedbackLine } from './FeedbackLine.ts';
import { optionLines } from './optionLines.ts';
import { renderTally } from './TallyView.ts';

const CLOSED_KEPT = 3;

interface Card {
	poll: PollView;
	element: HTMLElement;
	state: HTMLElement;
	tally: HTMLElement;
	close: HTMLButtonElement;
	feedback: FeedbackLine;
	open: boolean;
}

export class PollComposer {
	readonly #client: ClassClient;
	readonly #question = h('input', { type: 'text', maxLength: 300, required: true });
	readonly #options = h('textarea', { rows: 4, required: true });
	readonly #multiple = h('input', { type: 'checkbox' });
	readonly #feedback = new FeedbackLine();
	readonly #list = h('div', { className: 'polls' });
	readonly #cards = new Map<string, Card>();

	constructor(client: ClassClient, host: HTMLElement) {
		this.#client = client;

		const form = h(
			'form',
			{ className: 'composer' },
			h('label', {}, 'Poll question ', this.#question),
			h('label', {}, `Poll options, one a line (2 to ${POLL_MAX_OPTIONS}) `, this.#options),
			h('label', {}, this.#multiple, ' Allow several answers'),
			h('button', { type: 'submit', textContent: 'Open poll' }),
		);

		host.append(form, this.#feedback.element, this.#list);
		form.addEventListener('submit', (event) => {
			event.preventDefault();
			void this.#open();
		});
		client.onWelcome(({ openPolls }) => {
			for (const poll of openPolls) {
				this.#add(poll);
				void this.#refresh(poll.pollId);
			}
		});
		client.on('poll:opened', (poll) => this.#add(poll));
		client.on('poll:tally', ({ pollId, tally }) => this.#showTally(pollId, tally));
		client.on('poll:closed', ({ pollId, tally }) => this.#closed(pollId, tally));
	}

	async #open(): Promise<void> {
		const poll = await this.#feedback.attempt(() =>
			this.#client.request('poll:open', {
				question: this.#question.value,
				options: optionLines(this.#options.value),
				multiple: this.#multiple.checked,
			}),
		);

		if (poll === undefined) {
			return;
		}

		this.#feedback.show('The poll is open.');
		this.#question.value = '';
		this.#options.value = '';
		this.#multiple.checked = false;
		this.#add(poll);
	}

	#add(poll: PollView): void {
		if (this.#cards.has(poll.pollId)) {
			return;
		}

		const card: Card = {
			poll,
			element: h('article', { className: 'poll', ariaLabel: `Poll: ${poll.question}` }),
			state: h('p', {}),
			tally: h('div', {}),
			close: h('button', {
				type: 'button',
				textContent: 'Close poll',
				ariaLabel: `Close the poll: ${poll.question}`,
			}),
			feedback: new FeedbackLine(),
			open: true,
		};

		card.state.textContent = poll.multiple ? 'Open, several answers allowed.' : 'Open.';
		card.tally.append(renderTally(poll.options, { counts: [], voters: 0 }));
		card.element.append(
			h('h3', {}, poll.question),
			card.state,
			card.tally,
			card.close,
			card.feedback.element,
		);
		card.close.addEventListener('click', () => {
			card.close.disabled = true;
			void card.feedback
				.attempt(() => this.#client.request('poll:close', { pollId: poll.pollId }))
				.then((reply) => {
					if (reply === undefined) {
						card.close.disabled = false;
					} else {
						this.#closed(poll.pollId, reply.tally);
					}
				});
		});
		this.#cards.set(poll.pollId, card);
		this.#list.prepend(card.element);
	}

	async #refresh(pollId: string): Promise<void> {
		const card = this.#cards.get(pollId);
		const reply =
			card && (await card.feedback.attempt(() => this.#client.request('poll:results', { pollId })));

		if (reply !== undefined) {
			this.#showTally(pollId, reply.tally);
		}
	}

	#showTally(pollId: string, tally: Tally): void {
		const card = this.#cards.get(pollId);

		if (card?.open === true) {
			card.tally.replaceChildren(renderTally(card.poll.options, tally));
		}
	}

	#closed(pollId: string, tally: Tally): void {
		const card = this.#cards.get(pollId);

		if (card === undefined || !card.open) {
			return;
		}

		card.open = false;
		card.state.textContent = 'Closed. Results:';
		card.tally.replaceChildren(renderTally(card.poll.options, tally));
		card.close.remove();

		const closed = [...this.#cards.values()].filter((known) => !known.open);

		for (const old of closed.slice(0, Math.max(0, closed.length - CLOSED_KEPT))) {
			old.element.remove();
			this.#cards.delete(old.poll.pollId);
		}
	}
}
