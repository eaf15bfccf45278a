// The teacher's hold on the chat: lock it, or let each member write only
// once every so many seconds. Shows the settings in force, whoever set them.

import type { ChatSettings } from '../../../signaling/protocol/class.ts';
import type { ClassClient } from '../ClassClient.ts';
import { h } from './dom.ts';
import { FeedbackLine } from './FeedbackLine.ts';

export class ChatModeration {
	readonly #client: ClassClient;
	readonly #lock = h('input', { type: 'checkbox' });
	readonly #seconds = h('input', { type: 'number', min: '0', max: '3600', step: '1', value: '0' });
	readonly #feedback = new FeedbackLine();

	constructor(client: ClassClient, host: HTMLElement) {
		this.#client = client;

		const slowForm = h(
			'form',
			{},
			h('label', {}, 'Slow mode, seconds between messages (0 is off) ', this.#seconds),
			' ',
			h('button', { type: 'submit', textContent: 'Set slow mode' }),
		);

		host.append(
			h('p', {}, h('label', {}, this.#lock, ' Lock the chat')),
			slowForm,
			this.#feedback.element,
		);
		this.#lock.addEventListener('change', () => void this.#setLocked(this.#lock.checked));
		slowForm.addEventListener('submit', (event) => {
			event.preventDefault();
			void this.#setSlowMode(this.#seconds.valueAsNumber);
		});
		client.onWelcome(({ settings }) => this.#show(settings));
		client.on('chat:settings', (settings) => this.#show(settings));
	}

	async #setLocked(locked: boolean): Promise<void> {
		const settings = await this.#feedback.attempt(() =>
			this.#client.request('chat:lock', { locked }),
		);

		if (settings === undefined) {
			this.#lock.checked = !locked;

			return;
		}

		this.#show(settings);
		this.#feedback.show(locked ? 'The chat is locked.' : 'The chat is open.');
	}

	async #setSlowMode(seconds: number): Promise<void> {
		const settings = await this.#feedback.attempt(() =>
			this.#client.request('chat:slow-mode', { seconds: Number.isFinite(seconds) ? seconds : 0 }),
		);

		if (settings === undefined) {
			return;
		}

		this.#show(settings);
		this.#feedback.show(
			settings.slowModeSeconds === 0
				? 'Slow mode is off.'
				: `Slow mode: one message every ${settings.slowModeSeconds} seconds.`,
		);
	}

	#show(settings: ChatSettings): void {
		this.#lock.checked = settings.locked;
		if (document.activeElement !== this.#seconds) {
			this.#seconds.value = String(settings.slowModeSeconds);
		}
	}
}
