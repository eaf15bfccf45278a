// The teacher's queue of raised hands, in the order they went up: invite a
// member to the stage, or lower their hand. An invitation stays marked until
// the member accepts (they leave the queue for the stage) or declines.

import type { Member } from '../../../signaling/protocol/class.ts';
import type { ClassClient } from '../ClassClient.ts';
import { counted, h } from './dom.ts';
import { FeedbackLine } from './FeedbackLine.ts';

export class HandQueuePanel {
	readonly #client: ClassClient;
	readonly #summary = h('p', {});
	readonly #list = h('ol', { className: 'hand-queue', ariaLabel: 'Raised hands' });
	readonly #feedback = new FeedbackLine();
	#queue: Member[] = [];
	/** Members invited from here who have not answered yet. */
	readonly #invited = new Set<string>();

	constructor(client: ClassClient, host: HTMLElement) {
		this.#client = client;
		host.append(this.#summary, this.#list, this.#feedback.element);
		this.#render();
		client.onWelcome(() => void this.#reload());
		client.on('hand:queue', ({ queue }) => this.#show(queue));
		client.on('stage:declined', ({ userId }) => {
			this.#invited.delete(userId);
			this.#feedback.show(`${this.#nameOf(userId)} declined the invitation to the stage.`);
			this.#render();
		});
		// Accepting takes the hand down without a queue push of its own.
		client.on('stage:changed', ({ userId, onStage }) => {
			if (onStage) {
				if (this.#invited.delete(userId)) {
					this.#feedback.show(`${this.#nameOf(userId)} accepted and is on the stage.`);
				}

				void this.#reload();
			}
		});
	}

	async #reload(): Promise<void> {
		const reply = await this.#feedback.attempt(() => this.#client.request('hand:list', {}));

		if (reply !== undefined) {
			this.#show(reply.queue);
		}
	}

	#show(queue: Member[]): void {
		this.#queue = queue;
		this.#render();
	}

	#render(): void {
		this.#summary.textContent =
			this.#queue.length === 0
				? 'No hands raised.'
				: `${counted(this.#queue.length, 'hand', 'hands')} raised.`;
		this.#list.replaceChildren(...this.#queue.map((member) => this.#item(member)));
	}

	#item(member: Member): HTMLLIElement {
		const invited = this.#invited.has(member.userId);
		const invite = h('button', {
			type: 'button',
			textContent: invited ? 'Invited' : 'Invite to the stage',
			ariaLabel: invited
				? `${member.displayName} is invited to the stage`
				: `Invite ${member.displayName} to the stage`,
			disabled: invited,
		});
		const dismiss = h('button', {
			type: 'button',
			textContent: 'Dismiss',
			ariaLabel: `Lower the hand of ${member.displayName}`,
		});

		invite.addEventListener('click', () => void this.#invite(member));
		dismiss.addEventListener('click', () => void this.#dismiss(member));

		return h('li', {}, `${member.displayName} `, invite, ' ', dismiss);
	}

	async #invite(member: Member): Promise<void> {
		const done = await this.#feedback.attempt(() =>
			this.#client.request('stage:invite', { userId: member.userId }),
		);

		if (done !== undefined) {
			this.#invited.add(member.userId);
			this.#feedback.show(`${member.displayName} is invited to the stage.`);
			this.#render();
		}
	}

	async #dismiss(member: Member): Promise<void> {
		const done = await this.#feedback.attempt(() =>
			this.#client.request('hand:dismiss', { userId: member.userId }),
		);

		if (done !== undefined) {
			this.#invited.delete(member.userId);
			this.#show(this.#queue.filter((queued) => queued.userId !== member.userId));
		}
	}

	#nameOf(userId: string): string {
		return this.#queue.find((member) => member.userId === userId)?.displayName ?? 'A member';
	}
}
