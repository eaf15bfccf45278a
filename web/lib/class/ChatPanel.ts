// The class chat: the history the welcome carries, every batch after it,
// this member's own messages as soon as they are acknowledged, older
// messages on request, and what stands in the way of writing (muted, locked,
// slow mode) both as a notice and as the refusal's code when a send fails.
// The teacher's version adds delete and mute on each message.

import type { ChatMessage, ChatSettings } from '../../../signaling/protocol/class.ts';
import { CHAT_MAX_CHARS } from '../../../signaling/protocol/limits.ts';
import type { ClassClient } from '../ClassClient.ts';
import { h } from './dom.ts';
import { FeedbackLine } from './FeedbackLine.ts';

export interface ChatPanelOptions {
	/** Delete and mute on each message, for the teacher; `onMuted` hears of every mute. */
	moderator?: { onMuted: (userId: string) => void };
}

/** The messages the panel keeps on screen; older ones can be loaded again. */
const SHOWN_MAX = 200;
const HISTORY_PAGE = 50;

export class ChatPanel {
	readonly #client: ClassClient;
	readonly #options: ChatPanelOptions;
	readonly #notices = h('p', { className: 'chat-notices' });
	readonly #older = h('button', { type: 'button', textContent: 'Load older messages' });
	readonly #list = h('ol', { className: 'chat-messages' });
	readonly #log = h('div', { className: 'chat-log', role: 'log', ariaLabel: 'Chat messages' });
	readonly #input = h('input', { type: 'text', maxLength: CHAT_MAX_CHARS, autocomplete: 'off' });
	readonly #send = h('button', { type: 'submit', textContent: 'Send' });
	readonly #feedback = new FeedbackLine();
	/** What is on screen, by message id, oldest first. */
	#shown = new Map<string, { message: ChatMessage; item: HTMLLIElement }>();
	#settings: ChatSettings = { locked: false, slowModeSeconds: 0 };
	#muted = false;
	#removed: string | undefined;
	/** Why the class is over, as the notice says it. */
	#ended: string | undefined;

	constructor(client: ClassClient, host: HTMLElement, options: ChatPanelOptions = {}) {
		this.#client = client;
		this.#options = options;

		const form = h(
			'form',
			{ className: 'chat-form' },
			h('label', {}, 'Message ', this.#input),
			' ',
			this.#send,
		);

		this.#log.append(this.#list);
		host.append(this.#notices, this.#older, this.#log, form, this.#feedback.element);
		form.addEventListener('submit', (event) => {
			event.preventDefault();
			void this.#submit();
		});
		this.#older.addEventListener('click', () => void this.#loadOlder());

		client.onWelcome((welcome) => {
			this.#settings = welcome.settings;
			this.#muted = welcome.muted;
			this.#list.replaceChildren();
			this.#shown.clear();
			this.#append(welcome.history);
			this.#older.hidden = welcome.history.length === 0;
			this.#showNotices();
		});
		client.on('chat:batch', (messages) => this.#append(messages));
		client.on('chat:private', (message) => this.#append([message]));
		client.on('chat:deleted', ({ messageId }) => this.#remove(messageId));
		client.on('chat:settings', (settings) => {
			this.#settings = settings;
			this.#showNotices();
		});
		client.on('moderation:muted', ({ muted }) => {
			this.#muted = muted;
			this.#showNotices();
		});
		client.on('moderation:removed', ({ reason }) => {
			this.#removed = reason;
			this.#input.disabled = true;
			this.#send.disabled = true;
			this.#showNotices();
		});
		client.on('class:ended', ({ reason }) => {
			this.#ended = reason === 'ended' ? 'The class has ended.' : 'The class was cancelled.';
			this.#input.disabled = true;
			this.#send.disabled = true;
			this.#showNotices();
		});
	}

	async #submit(): Promise<void> {
		const text = this.#input.value.trim();

		if (text === '') {
			return;
		}

		this.#send.disabled = true;

		const sent = await this.#feedback.attempt(() => this.#client.request('chat:send', { text }));

		this.#send.disabled = this.#removed !== undefined || this.#ended !== undefined;
		if (sent === undefined) {
			return;
		}

		this.#feedback.clear();
		this.#input.value = '';
		// The batch brings the same message again; its id keeps it from showing twice.
		this.#append([
			{ id: sent.id, at: sent.at, text, userId: this.#client.userId ?? '', displayName: 'You' },
		]);
	}

	async #loadOlder(): Promise<void> {
		const oldest = this.#shown.values().next().value?.message.at;
		const reply = await this.#feedback.attempt(() =>
			this.#client.request('chat:history', {
				limit: HISTORY_PAGE,
				...(oldest === undefined ? {} : { before: oldest }),
			}),
		);

		if (reply === undefined) {
			return;
		}

		const older = reply.messages.filter((message) => !this.#shown.has(message.id));

		this.#older.hidden = reply.messages.length < HISTORY_PAGE;
		// Prepended newest first, so the oldest ends up on top.
		for (const message of older.reverse()) {
			const item = this.#render(message);

			this.#list.prepend(item);
			this.#shown = new Map([[message.id, { message, item }], ...this.#shown]);
		}
	}

	#append(messages: readonly ChatMessage[]): void {
		const log = this.#log;
		// Follow new messages only when the reader is at the bottom already.
		const following = log.scrollHeight - log.scrollTop - log.clientHeight < 40;

		for (const message of messages) {
			if (this.#shown.has(message.id)) {
				continue;
			}

			const item = this.#render(message);

			this.#list.append(item);
			this.#shown.set(message.id, { message, item });
		}

		for (const [id, { item }] of this.#shown) {
			if (this.#shown.size <= SHOWN_MAX) {
				break;
			}

			item.remove();
			this.#shown.delete(id);
			this.#older.hidden = false;
		}

		if (following) {
			log.scrollTop = log.scrollHeight;
		}
	}

	#remove(messageId: string): void {
		this.#shown.get(messageId)?.item.remove();
		this.#shown.delete(messageId);
	}

	#render(message: ChatMessage): HTMLLIElement {
		const own = message.userId === this.#client.userId;
		const author = own ? 'You' : message.displayName;
		const time = new Date(message.at);
		const item = h(
			'li',
			{ className: own ? 'own' : '' },
			h(
				'time',
				{ dateTime: time.toISOString() },
				time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
			),
			' ',
			h('strong', { className: 'author' }, author),
			message.toUserId === undefined ? '' : ' (private)',
			': ',
			h('span', { className: 'text' }, message.text),
		);

		item.dataset.messageId = message.id;
		if (this.#options.moderator !== undefined) {
			item.append(' ', ...this.#moderatorTools(message, own));
		}

		return item;
	}

	#moderatorTools(message: ChatMessage, own: boolean): HTMLButtonElement[] {
		const remove = h('button', {
			type: 'button',
			textContent: 'Delete',
			ariaLabel: `Delete the message from ${own ? 'you' : message.displayName}: ${message.text}`,
		});

		remove.addEventListener('click', () => {
			void this.#feedback
				.attempt(() => this.#client.request('chat:delete', { messageId: message.id }))
				.then((done) => {
					if (done !== undefined) {
						this.#remove(message.id);
					}
				});
		});
		if (own) {
			return [remove];
		}

		const mute = h('button', {
			type: 'button',
			textContent: 'Mute',
			ariaLabel: `Mute ${message.displayName}`,
		});

		mute.addEventListener('click', () => {
			void this.#feedback
				.attempt(() =>
					this.#client.request('moderation:mute', { userId: message.userId, muted: true }),
				)
				.then((done) => {
					if (done !== undefined) {
						this.#feedback.show(`${message.displayName} is muted.`);
						this.#options.moderator?.onMuted(message.userId);
					}
				});
		});

		return [remove, mute];
	}

	#showNotices(): void {
		const notices: string[] = [];

		if (this.#ended !== undefined) {
			notices.push(this.#ended);
		}

		if (this.#removed !== undefined) {
			notices.push(`You were removed from the class (${this.#removed}).`);
		}

		if (this.#muted) {
			notices.push('The teacher has muted you.');
		}

		if (this.#settings.locked) {
			notices.push('The chat is locked.');
		}

		if (this.#settings.slowModeSeconds > 0) {
			notices.push(`Slow mode: one message every ${this.#settings.slowModeSeconds} seconds.`);
		}

		this.#notices.textContent = notices.join(' ');
	}
}
