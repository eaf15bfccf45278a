// Class chat and the teacher's private messages. A message is stored in the
// write-behind buffer and relayed to the other signaling processes
// (signaling/ProcessRelay.ts) in one round trip before it is acknowledged;
// each process delivers what it gathered from all of
// them to its own members (signaling/class/ChatDelivery.ts), so a member gets
// at most one chat frame per tick however many processes and messages there are.

import { randomUUID } from 'node:crypto';

import type { ChainableCommander, Redis } from 'ioredis';
import type { Collection, Document } from 'mongodb';

import type { JoinClaims } from '../../common/auth/JoinToken.ts';
import type { Logger } from '../../common/logger.ts';
import { ProtocolError } from '../protocol/errors.ts';
import type { ChatMessage } from '../protocol/class.ts';
import type { ProcessRelay } from '../ProcessRelay.ts';
import type { Analytics } from './Analytics.ts';
import { ChatDelivery } from './ChatDelivery.ts';
import type { ClassIo, ClassSocket } from './ClassIo.ts';
import type { ClassTimeline } from './ClassTimeline.ts';
import { classKeys } from './classKeys.ts';
import type { Moderation } from './Moderation.ts';
import { classRoom, userRoom } from './rooms.ts';
import type { WriteBehind } from './WriteBehind.ts';

export const CHAT_COLLECTION = 'chat_messages';

/** What MongoDB holds for one message. */
export interface StoredChatMessage extends Document {
	_id: string;
	classId: string;
	userId: string;
	displayName: string;
	text: string;
	at: Date;
	/** `*` for the class, or the two userIds of a private message. */
	visibleTo: string[];
	toUserId?: string;
	deleted?: boolean;
}

export interface ChatServiceOptions {
	redis: Redis;
	io: ClassIo;
	buffer: WriteBehind;
	collection: Collection<StoredChatMessage>;
	moderation: Moderation;
	analytics: Analytics;
	/** Class messages and deletions, for the replay; private messages stay out. */
	timeline: ClassTimeline;
	/** Class messages to and from the other signaling processes. */
	relay: ProcessRelay;
	historySize: number;
	tickMs: number;
	logger: Logger;
}

export class ChatService {
	readonly #options: ChatServiceOptions;
	readonly #delivery: ChatDelivery;

	constructor(options: ChatServiceOptions) {
		this.#options = options;
		this.#delivery = new ChatDelivery(options.io, options.tickMs);

		// Messages accepted on other processes, relayed on a Redis stream.
		options.relay.on('chat', ({ classId, message }) => this.#delivery.enqueue(classId, message));
	}

	/** Makes a member's socket one that class chat is delivered to. */
	admit(socket: ClassSocket, classId: string): void {
		this.#delivery.admit(socket, classId);
	}

	async send(claims: JoinClaims, text: string): Promise<ChatMessage> {
		const { classId, userId } = claims;
		const keys = classKeys(classId);
		const [muted, settings] = await Promise.all([
			this.#options.moderation.isMuted(classId, userId),
			this.#options.moderation.settings(classId),
		]);

		if (muted) {
			throw new ProtocolError('muted', 'the teacher has muted you in this class');
		}

		if (!claims.grants.moderate) {
			if (settings.locked) {
				throw new ProtocolError('chat_locked', 'the teacher has locked the chat');
			}

			if (settings.slowModeSeconds > 0) {
				const first = await this.#options.redis.set(
					keys.slowMode(userId),
					'1',
					'EX',
					settings.slowModeSeconds,
					'NX',
				);

				if (first === null) {
					throw new ProtocolError(
						'rate_limited',
						`slow mode: one message every ${settings.slowModeSeconds} seconds`,
					);
				}
			}
		}

		const message = this.#message(claims, text);

		// The message, its place in the join history, its timeline entry and
		// its relay to the other processes go in one round trip, so an
		// acknowledged message is delivered everywhere and in the replay too.
		await this.#store(classId, message, ['*'], (pipeline) => {
			pipeline
				.lpush(keys.chatRecent, JSON.stringify(message))
				.ltrim(keys.chatRecent, 0, Math.max(0, this.#options.historySize - 1));
			this.#options.timeline.addTo(pipeline, classId, message.at, {
				type: 'chat',
				data: { id: message.id, userId, displayName: message.displayName, text },
			});
			this.#options.relay.addTo(pipeline, { type: 'chat', classId, message });
		});

		this.#delivery.enqueue(classId, message);
		this.#options.analytics.record({ classId, userId, type: 'chat', at: new Date(message.at) });

		return message;
	}

	/** A private message from the teacher to one member (and the teacher's own other tabs). */
	async sendPrivate(claims: JoinClaims, toUserId: string, text: string): Promise<ChatMessage> {
		const message = { ...this.#message(claims, text), toUserId };

		await this.#store(claims.classId, message, [claims.userId, toUserId]);
		this.#options.io
			.to([userRoom(claims.classId, toUserId), userRoom(claims.classId, claims.userId)])
			.emit('chat:private', message);

		return message;
	}

	/**
	 * Deletes a message for everyone. The deletion goes into the timeline in
	 * the round trip of the deleted flag, before the teacher is answered, so
	 * an acknowledged deletion also keeps the text out of the replay.
	 */
	async delete(classId: string, messageId: string): Promise<void> {
		await this.#options.redis.sadd(classKeys(classId).chatDeleted, messageId);
		await this.#options.buffer.append(
			[{ op: 'set', id: messageId, set: { deleted: true } }],
			(pipeline) => {
				this.#options.timeline.addTo(pipeline, classId, Date.now(), {
					type: 'chat',
					data: { deleted: messageId },
				});
			},
		);
		this.#options.io.to(classRoom(classId)).emit('chat:deleted', { messageId });
	}

	/** The newest class messages, oldest first, for a member who just joined. */
	async recent(classId: string): Promise<ChatMessage[]> {
		const keys = classKeys(classId);
		const [raw, deleted] = await Promise.all([
			this.#options.redis.lrange(keys.chatRecent, 0, this.#options.historySize - 1),
			this.#options.redis.smembers(keys.chatDeleted),
		]);
		const gone = new Set(deleted);

		return raw
			.map((value) => JSON.parse(value) as ChatMessage)
			.filter((message) => !gone.has(message.id))
			.reverse();
	}

	/**
	 * Older messages from MongoDB, oldest first. Messages still in the
	 * write-behind buffer are not there yet; the join history covers them.
	 */
	async history(
		claims: JoinClaims,
		query: { before?: number | undefined; limit: number },
	): Promise<ChatMessage[]> {
		const docs = await this.#options.collection
			.find({
				classId: claims.classId,
				visibleTo: { $in: ['*', claims.userId] },
				deleted: { $ne: true },
				...(query.before === undefined ? {} : { at: { $lt: new Date(query.before) } }),
			})
			.sort({ at: -1 })
			.limit(query.limit)
			.toArray();

		return docs.reverse().map((doc) => ({
			id: doc._id,
			userId: doc.userId,
			displayName: doc.displayName,
			text: doc.text,
			at: doc.at.getTime(),
			...(doc.toUserId === undefined ? {} : { toUserId: doc.toUserId }),
		}));
	}

	/** Delivers what is pending and stops the deliveries. */
	async close(): Promise<void> {
		await this.#delivery.close();
	}

	#message(claims: JoinClaims, text: string): ChatMessage {
		return {
			id: randomUUID(),
			userId: claims.userId,
			displayName: claims.displayName,
			text,
			at: Date.now(),
		};
	}

	async #store(
		classId: string,
		message: ChatMessage,
		visibleTo: string[],
		alongside?: (pipeline: ChainableCommander) => void,
	): Promise<void> {
		const { id, ...rest } = message;

		try {
			await this.#options.buffer.append(
				[{ op: 'insert', doc: { _id: id, classId, ...rest, visibleTo } }],
				alongside,
			);
		} catch (error) {
			this.#options.logger.warn({ err: error }, 'chat message not buffered');
			throw new ProtocolError('unavailable', 'chat is unavailable for a moment; send again');
		}
	}
}
