// An audience member's way onto the stage: the teacher's invitation with
// accept and decline, then, once on the stage, the link to the stage page
// (which publishes camera and microphone) and a way to leave.
//
// NOTE: this page itself never publishes; the stage page, opened with the
// same join token, does. The audience page only plays HLS.

import type { ClassClient } from '../ClassClient.ts';
import { h } from './dom.ts';
import { FeedbackLine } from './FeedbackLine.ts';

export interface StageInvitationOptions {
	/** The stage page's address with this member's join token. */
	stagePageUrl: string;
}

export class StageInvitation {
	readonly #client: ClassClient;
	readonly #invitation = h('div', { className: 'stage-invitation', hidden: true });
	readonly #invitedBy = h('p', { role: 'alert' });
	readonly #onStage = h('div', { className: 'on-stage', hidden: true });
	readonly #feedback = new FeedbackLine();

	constructor(client: ClassClient, host: HTMLElement, options: StageInvitationOptions) {
		this.#client = client;

		const accept = h('button', { type: 'button', textContent: 'Accept' });
		const decline = h('button', { type: 'button', textContent: 'Decline' });
		const leave = h('button', { type: 'button', textContent: 'Leave the stage' });

		this.#invitation.append(this.#invitedBy, accept, decline);
		this.#onStage.append(
			h(
				'p',
				{},
				'You are on the stage. ',
				h('a', {
					href: options.stagePageUrl,
					target: '_blank',
					rel: 'noopener',
					textContent: 'Open the stage page',
				}),
				' to be seen and heard (it plays the class live; pause the video here).',
			),
			leave,
		);
		host.append(this.#invitation, this.#onStage, this.#feedback.element);

		accept.addEventListener('click', () => void this.#accept());
		decline.addEventListener('click', () => void this.#decline());
		leave.addEventListener('click', () => void this.#leave());
		client.onWelcome(({ userId, stage, invited }) => {
			const onStage = stage.includes(userId);

			this.#showOnStage(onStage);
			this.#showInvitation(invited && !onStage ? 'The teacher invites you to the stage.' : '');
		});
		client.on('stage:invited', ({ by }) => {
			this.#feedback.clear();
			this.#showInvitation(`${by} invites you to the stage.`);
		});
		client.on('stage:changed', ({ userId, onStage }) => {
			if (userId !== client.userId) {
				return;
			}

			this.#showOnStage(onStage);
			if (onStage) {
				this.#showInvitation('');
			} else {
				this.#feedback.show('You are no longer on the stage.');
			}
		});
	}

	async #accept(): Promise<void> {
		const reply = await this.#feedback.attempt(() => this.#client.request('stage:accept', {}));

		if (reply !== undefined) {
			this.#feedback.clear();
			this.#showInvitation('');
			this.#showOnStage(true);
		}
	}

	async #decline(): Promise<void> {
		const done = await this.#feedback.attempt(() => this.#client.request('stage:decline', {}));

		if (done !== undefined) {
			this.#showInvitation('');
			this.#feedback.show('You declined the invitation.');
		}
	}

	async #leave(): Promise<void> {
		await this.#feedback.attempt(() => this.#client.request('stage:leave', {}));
	}

	/** Shows the invitation with its text, or hides it for an empty one. */
	#showInvitation(text: string): void {
		this.#invitedBy.textContent = text;
		this.#invitation.hidden = text === '';
	}

	#showOnStage(onStage: boolean): void {
		this.#onStage.hidden = !onStage;
	}
}
