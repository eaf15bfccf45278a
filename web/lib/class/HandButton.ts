// A member's raised hand: raise it, lower it, and hear when the teacher
// lowered it or took the member onto the stage (which lowers it too).

import type { ClassClient } from '../ClassClient.ts';
import { h } from './dom.ts';
import { FeedbackLine } from './FeedbackLine.ts';

export class HandButton {
	readonly #client: ClassClient;
	readonly #button = h('button', { type: 'button', textContent: 'Raise hand' });
	readonly #feedback = new FeedbackLine();
	#raised = false;
	/** Set while this member's own lower request is out, to tell it from the teacher's. */
	#lowering = false;

	constructor(client: ClassClient, host: HTMLElement) {
		this.#client = client;
		host.append(h('p', {}, this.#button), this.#feedback.element);
		this.#button.addEventListener(
			'click',
			() => void (this.#raised ? this.#lower() : this.#raise()),
		);
		client.onWelcome(({ handRaised }) => this.#show(handRaised));
		client.on('hand:lowered', () => {
			if (this.#raised && !this.#lowering) {
				this.#feedback.show('The teacher lowered your hand.');
			}

			this.#show(false);
		});
		client.on('stage:changed', ({ userId, onStage }) => {
			if (onStage && userId === client.userId && this.#raised) {
				this.#show(false);
				this.#feedback.show('Your hand is down: you are on the stage.');
			}
		});
	}

	async #raise(): Promise<void> {
		this.#button.disabled = true;

		const reply = await this.#feedback.attempt(() => this.#client.request('hand:raise', {}));

		this.#button.disabled = false;
		if (reply !== undefined) {
			this.#show(true);
			this.#feedback.show(`Your hand is up: number ${reply.position} in the queue.`);
		}
	}

	async #lower(): Promise<void> {
		this.#button.disabled = true;
		this.#lowering = true;

		const done = await this.#feedback.attempt(() => this.#client.request('hand:lower', {}));

		this.#lowering = false;
		this.#button.disabled = false;
		if (done !== undefined) {
			this.#show(false);
			this.#feedback.show('Your hand is down.');
		}
	}

	#show(raised: boolean): void {
		this.#raised = raised;
		this.#button.textContent = raised ? 'Lower hand' : 'Raise hand';
	}
}
