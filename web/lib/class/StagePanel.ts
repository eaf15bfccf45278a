// Who is on the stage, for the teacher: mute a member's microphone or take
// them off the stage. Read again from the server on every stage change, so
// it names members however they got there.

import type { StageMember } from '../../../signaling/protocol/class.ts';
import type { ClassClient } from '../ClassClient.ts';
import { h } from './dom.ts';
import { FeedbackLine } from './FeedbackLine.ts';

export class StagePanel {
	readonly #client: ClassClient;
	readonly #summary = h('p', {});
	readonly #list = h('ul', { className: 'stage-members', ariaLabel: 'On the stage' });
	readonly #feedback = new FeedbackLine();

	constructor(client: ClassClient, host: HTMLElement) {
		this.#client = client;
		host.append(this.#summary, this.#list, this.#feedback.element);
		this.#show([]);
		client.onWelcome(() => void this.#reload());
		client.on('stage:changed', () => void this.#reload());
	}

	async #reload(): Promise<void> {
		const reply = await this.#feedback.attempt(() => this.#client.request('stage:list', {}));

		if (reply !== undefined) {
			this.#show(reply.members);
		}
	}

	#show(members: StageMember[]): void {
		const sorted = [...members].sort((a, b) => nameOf(a).localeCompare(nameOf(b)));

		this.#summary.textContent = sorted.length === 0 ? 'Nobody is on the stage.' : '';
		this.#list.replaceChildren(...sorted.map((member) => this.#item(member)));
	}

	#item(member: StageMember): HTMLLIElement {
		const name = nameOf(member);
		const mute = h('button', {
			type: 'button',
			textContent: 'Mute microphone',
			ariaLabel: `Mute the microphone of ${name}`,
			disabled: member.displayName === null,
		});
		const remove = h('button', {
			type: 'button',
			textContent: 'Remove from the stage',
			ariaLabel: `Remove ${name} from the stage`,
		});

		mute.addEventListener('click', () => {
			void this.#feedback
				.attempt(() => this.#client.request('stage:mute', { userId: member.userId, muted: true }))
				.then((done) => {
					if (done !== undefined) {
						this.#feedback.show(`Asked ${name} to mute their microphone.`);
					}
				});
		});
		remove.addEventListener('click', () => {
			void this.#feedback.attempt(() =>
				this.#client.request('stage:remove', { userId: member.userId }),
			);
		});

		return h('li', {}, `${name} `, mute, ' ', remove);
	}
}

function nameOf(member: StageMember): string {
	return member.displayName ?? 'someone who left the class';
}
