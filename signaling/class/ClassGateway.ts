// Binds the interactive-class events of one socket to the class services:
// every event validated, size-bounded, rate-limited and checked against the
// sender's role, always scoped to the class of the sender's join token.

import type { z } from 'zod';

import type { JoinClaims } from '../../common/auth/JoinToken.ts';
import type { Logger } from '../../common/logger.ts';
import { defineHandler } from '../defineHandler.ts';
import * as protocol from '../protocol/class.ts';
import { ProtocolError } from '../protocol/errors.ts';
import type { ClientToServerEvents, Welcome } from '../protocol/class.ts';
import type { Analytics } from './Analytics.ts';
import type { Ballots } from './Ballots.ts';
import type { ChatService } from './ChatService.ts';
import type { ClassSocket } from './ClassIo.ts';
import type { HandQueue } from './HandQueue.ts';
import type { MemberCounts } from './MemberCounts.ts';
import type { Moderation } from './Moderation.ts';
import type { Polls } from './Polls.ts';
import type { Presence } from './Presence.ts';
import type { Quizzes } from './Quizzes.ts';
import type { RateLimiter } from './RateLimiter.ts';
import { moderatorRoom } from './rooms.ts';
import type { Stage } from './Stage.ts';

export interface ClassServices {
	chat: ChatService;
	moderation: Moderation;
	presence: Presence;
	/** Pushes member counts; told of each welcome. */
	counts: MemberCounts;
	hands: HandQueue;
	stage: Stage;
	polls: Polls;
	quizzes: Quizzes;
	/** What polls and quizzes share; the welcome reads what a member has answered from it. */
	ballots: Ballots;
	analytics: Analytics;
	/** Every event of a user. */
	requestLimiter: RateLimiter;
	/** Chat messages of a user, on top of the request limit. */
	chatLimiter: RateLimiter;
	logger: Logger;
}

type EventName = keyof ClientToServerEvents;

/** Wires the class events of a socket whose handshake passed, then welcomes it. */
export async function attachClassSocket(
	socket: ClassSocket,
	services: ClassServices,
): Promise<void> {
	const claims = socket.data.claims;
	const logger = services.logger.child({ classId: claims.classId, userId: claims.userId });
	const { classId, userId } = claims;
	const s = services;

	// Before the welcome reads the chat history, so no message falls between them.
	s.chat.admit(socket, classId);

	function on<Schema extends z.ZodType, Result>(
		event: EventName,
		schema: Schema,
		handle: (payload: z.output<Schema>) => Promise<Result>,
		access: { moderator?: boolean } = {},
	): void {
		socket.on(
			event,
			defineHandler(
				event,
				schema,
				async (payload) => {
					if (!s.requestLimiter.take(userId)) {
						throw new ProtocolError('rate_limited');
					}

					if (access.moderator === true && !claims.grants.moderate) {
						throw new ProtocolError('forbidden', `${event} is for the teacher`);
					}

					return handle(payload);
				},
				logger,
				{ maxBytes: 4096 },
			),
		);
	}

	on('chat:send', protocol.ChatSend, async ({ text }) => {
		if (!s.chatLimiter.take(userId)) {
			throw new ProtocolError('rate_limited', 'too many chat messages; slow down');
		}

		const message = await s.chat.send(claims, text);

		return { id: message.id, at: message.at };
	});
	on(
		'chat:private',
		protocol.ChatPrivate,
		async ({ toUserId, text }) => {
			const message = await s.chat.sendPrivate(claims, toUserId, text);

			return { id: message.id, at: message.at };
		},
		{ moderator: true },
	);
	on(
		'chat:delete',
		protocol.ChatDelete,
		async ({ messageId }) => nothing(s.chat.delete(classId, messageId)),
		{
			moderator: true,
		},
	);
	on('chat:history', protocol.ChatHistory, async (query) => ({
		messages: await s.chat.history(claims, query),
	}));
	on(
		'chat:lock',
		protocol.ChatLock,
		async ({ locked }) => s.moderation.update(classId, { locked }),
		{
			moderator: true,
		},
	);
	on(
		'chat:slow-mode',
		protocol.ChatSlowMode,
		async ({ seconds }) => s.moderation.update(classId, { slowModeSeconds: seconds }),
		{ moderator: true },
	);

	on(
		'moderation:mute',
		protocol.ModerationMute,
		async ({ userId: target, muted }) => nothing(s.moderation.setMuted(classId, target, muted)),
		{ moderator: true },
	);
	on(
		'moderation:remove',
		protocol.ModerationRemove,
		async ({ userId: target }) => {
			if (target === userId) {
				throw new ProtocolError('conflict', 'the teacher cannot remove themselves');
			}

			await s.moderation.remove(classId, target);
			await s.stage.remove(classId, target);
			await s.presence.forget(classId, target);

			return null;
		},
		{ moderator: true },
	);

	on(
		'presence:list',
		protocol.PresenceList,
		async (query) => {
			const [page, count] = await Promise.all([
				s.presence.list(classId, query),
				s.presence.count(classId),
			]);
			const muted = await s.moderation.mutedAmong(
				classId,
				page.members.map((member) => member.userId),
			);

			return {
				members: page.members.map((member) => ({ ...member, muted: muted.has(member.userId) })),
				next: page.next,
				count,
			};
		},
		{ moderator: true },
	);

	on('hand:raise', protocol.Empty, async () => {
		const position = await s.hands.raise(classId, claims);

		s.analytics.record({ classId, userId, type: 'hand_raise', at: new Date() });

		return { position };
	});
	on('hand:lower', protocol.Empty, async () => nothing(s.hands.lower(classId, userId)));
	on(
		'hand:dismiss',
		protocol.HandTarget,
		async ({ userId: target }) => nothing(s.hands.lower(classId, target)),
		{ moderator: true },
	);
	on('hand:list', protocol.Empty, async () => ({ queue: await s.hands.queue(classId) }), {
		moderator: true,
	});

	on(
		'stage:invite',
		protocol.StageTarget,
		async ({ userId: target }) => nothing(s.stage.invite(classId, target, claims.displayName)),
		{ moderator: true },
	);
	on('stage:accept', protocol.Empty, async () => ({
		stage: await s.stage.accept(classId, userId, claims.displayName),
	}));
	on('stage:decline', protocol.Empty, async () => nothing(s.stage.decline(classId, userId)));
	on('stage:leave', protocol.Empty, async () =>
		nothing(s.stage.remove(classId, userId, claims.displayName)),
	);
	on(
		'stage:remove',
		protocol.StageTarget,
		async ({ userId: target }) => nothing(s.stage.remove(classId, target)),
		{ moderator: true },
	);
	on(
		'stage:list',
		protocol.Empty,
		async () => {
			const userIds = await s.stage.members(classId);
			const present = new Map(
				(await s.presence.members(classId, userIds)).map((member) => [member.userId, member]),
			);

			return {
				members: userIds.map((id) => ({
					userId: id,
					displayName: present.get(id)?.displayName ?? null,
				})),
			};
		},
		{ moderator: true },
	);
	on(
		'stage:mute',
		protocol.StageMute,
		async ({ userId: target, muted }) => nothing(s.stage.mute(classId, target, muted)),
		{ moderator: true },
	);

	on('poll:open', protocol.PollOpen, async (poll) => s.polls.open(classId, poll), {
		moderator: true,
	});
	on('poll:answer', protocol.PollAnswer, async ({ pollId, choices }) =>
		nothing(s.polls.answer(claims, pollId, choices)),
	);
	on(
		'poll:close',
		protocol.PollRef,
		async ({ pollId }) => ({ tally: await s.polls.close(classId, pollId) }),
		{
			moderator: true,
		},
	);
	on('poll:results', protocol.PollRef, async ({ pollId }) => s.polls.results(classId, pollId));

	on('quiz:ask', protocol.QuizAsk, async (quiz) => s.quizzes.ask(classId, quiz), {
		moderator: true,
	});
	on('quiz:answer', protocol.QuizAnswer, async ({ questionId, choice }) =>
		nothing(s.quizzes.answer(claims, questionId, choice)),
	);
	on(
		'quiz:close',
		protocol.QuizRef,
		async ({ questionId }) => s.quizzes.close(classId, questionId),
		{
			moderator: true,
		},
	);
	on(
		'quiz:results',
		protocol.QuizRef,
		async ({ questionId }) => s.quizzes.results(classId, questionId),
		{ moderator: true },
	);
	on('quiz:leaderboard', protocol.Empty, async () => ({
		leaderboard: await s.quizzes.leaderboard(classId),
	}));

	socket.on('disconnect', () => {
		s.presence.leave(claims).catch((error: unknown) => {
			logger.warn({ err: error }, 'presence leave failed');
		});
		s.analytics.record({ classId, userId, type: 'leave', at: new Date() });
	});

	if (claims.grants.moderate) {
		await socket.join(moderatorRoom(classId));
	}

	await s.presence.join(claims);
	s.analytics.record({ classId, userId, type: 'join', at: new Date() });
	socket.emit('class:welcome', await welcome(claims, s));
	s.counts.welcomed(classId);
	logger.debug('joined');
}

async function welcome(claims: JoinClaims, s: ClassServices): Promise<Welcome> {
	const { classId, userId } = claims;
	const [
		history,
		settings,
		muted,
		stage,
		openPolls,
		openQuestions,
		handRaised,
		invited,
		memberCount,
	] = await Promise.all([
		s.chat.recent(classId),
		s.moderation.settings(classId),
		s.moderation.isMuted(classId, userId),
		s.stage.members(classId),
		s.polls.openPolls(classId),
		s.quizzes.openQuestions(classId),
		s.hands.isRaised(classId, userId),
		s.stage.isInvited(classId, userId),
		s.presence.count(classId),
	]);
	const answered = await s.ballots.answeredBy(
		classId,
		[...openPolls.map((poll) => poll.pollId), ...openQuestions.map((quiz) => quiz.questionId)],
		userId,
	);

	return {
		userId,
		role: claims.role,
		history,
		settings,
		muted,
		stage,
		openPolls,
		openQuestions,
		answered,
		handRaised,
		invited,
		memberCount,
		serverTime: Date.now(),
	};
}

async function nothing(work: Promise<void>): Promise<null> {
	await work;

	return null;
}
