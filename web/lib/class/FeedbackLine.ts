// The line under a panel's controls that says what became of the last
// action: done, or refused with the server's code and message.

import { describeError } from '../RequestError.ts';
import { h } from './dom.ts';

export class FeedbackLine {
	readonly element = h('p', { className: 'feedback', role: 'status' });

	show(text: string): void {
		this.element.classList.remove('refused');
		this.element.textContent = text;
	}

	refuse(error: unknown): void {
		this.element.classList.add('refused');
		this.element.textContent = describeError(error);
	}

	clear(): void {
		this.show('');
	}

	/** Runs a request; a refusal is shown here and resolves undefined. */
	async attempt<T>(work: () => Promise<T>): Promise<T | undefined> {
		try {
			return await work();
		} catch (error) {
			this.refuse(error);

			return undefined;
		}
	}
}
