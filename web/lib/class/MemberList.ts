// The teacher's member list: paged, searched by the start of a name, with
// the class count, and per member a private message, mute, unmute and
// removal from the class.
// It is read on demand (search, refresh, more), never pushed: a class of
// thousands would otherwise flood the teacher's page.

import type { ListedMember } from '../../../signaling/protocol/class.ts';
import { CHAT_MAX_CHARS } from '../../../signaling/protocol/limits.ts';
import type { ClassClient } from '../ClassClient.ts';
import { counted, h } from './dom.ts';
import { FeedbackLine } from './FeedbackLine.ts';

const PAGE_SIZE = 50;
const SEARCH_DELAY_MS = 250;

export class MemberList {
	readonly #client: ClassClient;
	readonly #search = h('input', { type: 'search', maxLength: 80, autocomplete: 'off' });
	readonly #count = h('p', {});
	readonly #list = h('ul', { className: 'members', ariaLabel: 'Members' });
	readonly #more = h('button', { type: 'button', textContent: 'More members', hidden: true });
	readonly #feedback = new FeedbackLine();
	readonly #items = new Map<string, { member: ListedMember; item: HTMLLIElement }>();
	#next: string | null = null;
	#searchTimer: ReturnType<typeof setTimeout> | undefined;
	/** Bumped by every new search, so a slow older page does not land in a newer list. */
	#query = 0;

	constructor(client: ClassClient, host: HTMLElement) {
		this.#client = client;

		const refresh = h('button', { type: 'button', textContent: 'Refresh members' });

		host.append(
			h('p', {}, h('label', {}, 'Search members by name ', this.#search), ' ', refresh),
			this.#count,
			this.#list,
			this.#more,
			this.#feedback.element,
		);
		this.#search.addEventListener('input', () => {
			clearTimeout(this.#searchTimer);
			this.#searchTimer = setTimeout(() => void this.#load(false), SEARCH_DELAY_MS);
		});
		refresh.addEventListener('click', () => void this.#load(false));
		this.#more.addEventListener('click', () => void this.#load(true));
		client.onWelcome(() => void this.#load(false));
	}

	/** Shows a mute made elsewhere on the page (from the chat). */
	markMuted(userId: string, muted: boolean): void {
		const entry = this.#items.get(userId);

		if (entry !== undefined) {
			this.#replace({ ...entry.member, muted });
		}
	}

	/** Loads the first page of the current search, or the next page of it. */
	async #load(more: boolean): Promise<void> {
		const query = more ? this.#query : ++this.#query;
		const cursor = more ? this.#next : null;
		const reply = await this.#feedback.attempt(() =>
			this.#client.request('presence:list', {
				search: this.#search.value.trim(),
				limit: PAGE_SIZE,
				...(cursor === null ? {} : { cursor }),
			}),
		);

		if (reply === undefined || query !== this.#query) {
			return;
		}

		if (!more) {
			this.#items.clear();
			this.#list.replaceChildren();
		}

		for (const member of reply.members) {
			const item = this.#item(member);

			this.#items.set(member.userId, { member, item });
			this.#list.append(item);
		}

		this.#next = reply.next;
		this.#more.hidden = reply.next === null;
		this.#count.textContent = `${counted(reply.count, 'person', 'people')} in the class.`;
	}

	#replace(member: ListedMember): void {
		const entry = this.#items.get(member.userId);

		if (entry === undefined) {
			return;
		}

		const item = this.#item(member);

		entry.item.replaceWith(item);
		this.#items.set(member.userId, { member, item });
	}

	#item(member: ListedMember): HTMLLIElement {
		const self = member.userId === this.#client.userId;
		const item = h(
			'li',
			{},
			`${member.displayName} (${self ? 'you' : member.role})${member.muted ? ', muted' : ''} `,
		);

		if (self) {
			return item;
		}

		const mute = h('button', {
			type: 'button',
			textContent: member.muted ? 'Unmute' : 'Mute',
			ariaLabel: `${member.muted ? 'Unmute' : 'Mute'} ${member.displayName}`,
		});
		const remove = h('button', {
			type: 'button',
			textContent: 'Remove from the class',
			ariaLabel: `Remove ${member.displayName} from the class`,
		});

		const message = h('button', {
			type: 'button',
			textContent: 'Message',
			ariaLabel: `Message ${member.displayName} privately`,
		});

		message.addEventListener('click', () => {
			message.hidden = true;
			item.append(this.#privateForm(member, () => (message.hidden = false)));
		});
		mute.addEventListener('click', () => void this.#setMuted(member, !member.muted));
		// Removal is for the rest of the class, so it takes a second click to confirm.
		remove.addEventListener('click', () => {
			if (remove.dataset.confirm === undefined) {
				remove.dataset.confirm = 'yes';
				remove.textContent = 'Confirm removal';
				remove.ariaLabel = `Confirm removing ${member.displayName} from the class`;

				return;
			}

			void this.#remove(member);
		});
		item.append(message, ' ', mute, ' ', remove);

		return item;
	}

	/** A one-message form under a member; it goes away once the message is sent. */
	#privateForm(member: ListedMember, onDone: () => void): HTMLFormElement {
		const input = h('input', {
			type: 'text',
			maxLength: CHAT_MAX_CHARS,
			autocomplete: 'off',
			ariaLabel: `Private message to ${member.displayName}`,
		});
		const form = h(
			'form',
			{ className: 'private-message' },
			input,
			' ',
			h('button', { type: 'submit', textContent: 'Send privately' }),
		);

		form.addEventListener('submit', (event) => {
			event.preventDefault();

			const text = input.value.trim();

			if (text === '') {
				return;
			}

			void this.#feedback
				.attempt(() => this.#client.request('chat:private', { toUserId: member.userId, text }))
				.then((sent) => {
					if (sent !== undefined) {
						form.remove();
						onDone();
						this.#feedback.show(`Private message sent to ${member.displayName}.`);
					}
				});
		});
		queueMicrotask(() => input.focus());

		return form;
	}

	async #setMuted(member: ListedMember, muted: boolean): Promise<void> {
		const done = await this.#feedback.attempt(() =>
			this.#client.request('moderation:mute', { userId: member.userId, muted }),
		);

		if (done !== undefined) {
			this.#replace({ ...member, muted });
			this.#feedback.show(`${member.displayName} is ${muted ? 'muted' : 'no longer muted'}.`);
		}
	}

	async #remove(member: ListedMember): Promise<void> {
		const done = await this.#feedback.attempt(() =>
			this.#client.request('moderation:remove', { userId: member.userId }),
		);

		if (done !== undefined) {
			this.#items.get(member.userId)?.item.remove();
			this.#items.delete(member.userId);
			this.#feedback.show(`${member.displayName} was removed from the class.`);
		}
	}
}
