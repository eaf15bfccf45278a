// How many people are in the class: the welcome's count, then every push.

import type { ClassClient } from '../ClassClient.ts';
import { counted, h } from './dom.ts';

export class MemberCount {
	readonly element = h('p', { className: 'member-count' });

	constructor(client: ClassClient, host: HTMLElement) {
		client.onWelcome(({ memberCount }) => this.#show(memberCount));
		client.on('presence:count', ({ count }) => this.#show(count));
		host.append(this.element);
	}

	#show(count: number): void {
		this.element.textContent = `${counted(count, 'person', 'people')} in the class`;
	}
}
