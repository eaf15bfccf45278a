// The interactive class protocol: chat, presence, hand raise, stage, polls,
// quizzes and moderation. Schemas for what clients send, types for what the
// server pushes. Shared with the browser pages: no Node.js imports here.
//
// Every event is scoped by the class of the sender's join token; no payload
// names a class.

import { z } from 'zod';

import type { Ack } from './errors.ts';
import { CHAT_MAX_CHARS, POLL_MAX_OPTIONS } from './limits.ts';

export { CHAT_MAX_CHARS, POLL_MAX_OPTIONS };

const userId = z.uuid();
const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an id');
const text = (max: number) =>
	z
		.string()
		.transform((value) => value.trim())
		.pipe(z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`));

// --- what clients send ------------------------------------------------------

export const ChatSend = z.strictObject({ text: text(CHAT_MAX_CHARS) });
export const ChatPrivate = z.strictObject({ toUserId: userId, text: text(CHAT_MAX_CHARS) });
export const ChatDelete = z.strictObject({ messageId: id });
export const ChatHistory = z.strictObject({
	/** Messages strictly older than this time (ms since epoch); omit for the newest. */
	before: z.number().int().positive().optional(),
	limit: z.number().int().min(1).max(100).default(50),
});
export const ChatLock = z.strictObject({ locked: z.boolean() });
export const ChatSlowMode = z.strictObject({ seconds: z.number().int().min(0).max(3600) });

export const ModerationMute = z.strictObject({ userId, muted: z.boolean() });
export const ModerationRemove = z.strictObject({ userId });

export const PresenceList = z.strictObject({
	/** Prefix of the display name, case-insensitive. */
	search: z.string().max(80).default(''),
	/** The `next` of the previous page. */
	cursor: z.string().max(200).optional(),
	limit: z.number().int().min(1).max(200).default(50),
});

export const HandTarget = z.strictObject({ userId });
export const StageTarget = z.strictObject({ userId });
export const StageMute = z.strictObject({ userId, muted: z.boolean().default(true) });

const options = z.array(text(200)).min(2).max(POLL_MAX_OPTIONS);

export const PollOpen = z.strictObject({
	question: text(300),
	options,
	multiple: z.boolean().default(false),
});
export const PollAnswer = z.strictObject({
	pollId: id,
	choices: z
		.array(
			z
				.number()
				.int()
				.min(0)
				.max(POLL_MAX_OPTIONS - 1),
		)
		.min(1)
		.max(POLL_MAX_OPTIONS),
});
export const PollRef = z.strictObject({ pollId: id });

export const QuizAsk = z
	.strictObject({
		question: text(300),
		options,
		correct: z.number().int().min(0),
		seconds: z.number().int().min(5).max(600),
	})
	.refine((quiz) => quiz.correct < quiz.options.length, {
		error: 'correct must name one of the options',
		path: ['correct'],
	});
export const QuizAnswer = z.strictObject({ questionId: id, choice: z.number().int().min(0) });
export const QuizRef = z.strictObject({ questionId: id });

/** Events without a payload take `{}` (or nothing). */
export const Empty = z.strictObject({}).nullish();

// --- what the server pushes -------------------------------------------------

export interface ChatMessage {
	id: string;
	userId: string;
	displayName: string;
	text: string;
	/** Milliseconds since epoch, set by the server. */
	at: number;
	/** Set on a private message: the one recipient besides the sender. */
	toUserId?: string;
}

export interface ChatSettings {
	locked: boolean;
	slowModeSeconds: number;
}

export interface Member {
	userId: string;
	displayName: string;
	role: 'teacher' | 'student' | 'audience';
}

/** A member as the teacher's member list shows it. */
export interface ListedMember extends Member {
	muted: boolean;
}

/** A member on the stage; `displayName` is null while they are not connected. */
export interface StageMember {
	userId: string;
	displayName: string | null;
}

export interface PollView {
	pollId: string;
	question: string;
	options: string[];
	multiple: boolean;
}

export interface Tally {
	/** Answers per option, in option order. */
	counts: number[];
	/** Members who answered. */
	voters: number;
}

export interface QuizView {
	questionId: string;
	question: string;
	options: string[];
	/** When answers stop being taken (ms since epoch). */
	closesAt: number;
}

export interface LeaderboardEntry {
	userId: string;
	displayName: string;
	points: number;
}

export interface Welcome {
	userId: string;
	role: Member['role'];
	/** The newest messages, oldest first. */
	history: ChatMessage[];
	settings: ChatSettings;
	muted: boolean;
	stage: string[];
	openPolls: PollView[];
	/** Quiz questions that still take answers, so a member joining mid-question can answer. */
	openQuestions: QuizView[];
	/** The ids of the open polls and questions this member has answered already. */
	answered: string[];
	/** Whether this member's hand is raised. */
	handRaised: boolean;
	/** Whether an invitation to the stage waits for this member's answer. */
	invited: boolean;
	memberCount: number;
	/** The server's clock when it sent the welcome, in ms since the epoch: quiz times are on it. */
	serverTime: number;
}

export interface ServerToClientEvents {
	'class:welcome': (welcome: Welcome) => void;
	/** Messages gathered over one delivery tick, oldest first. */
	'chat:batch': (messages: ChatMessage[]) => void;
	'chat:private': (message: ChatMessage) => void;
	'chat:deleted': (event: { messageId: string }) => void;
	'chat:settings': (settings: ChatSettings) => void;
	'moderation:muted': (event: { muted: boolean }) => void;
	'moderation:removed': (event: { reason: string }) => void;
	/** The class is over (ended or cancelled); the server disconnects the member next. */
	'class:ended': (event: { reason: 'ended' | 'cancelled' }) => void;
	'presence:count': (event: { count: number }) => void;
	'hand:queue': (event: { queue: Member[] }) => void;
	'hand:lowered': (event: { userId: string }) => void;
	'stage:invited': (event: { by: string }) => void;
	/** To the teacher: an invited member said no. */
	'stage:declined': (event: { userId: string }) => void;
	'stage:changed': (event: { userId: string; onStage: boolean }) => void;
	'stage:mute': (event: { muted: boolean }) => void;
	'poll:opened': (poll: PollView) => void;
	'poll:tally': (event: { pollId: string; tally: Tally }) => void;
	'poll:closed': (event: { pollId: string; tally: Tally }) => void;
	'quiz:question': (quiz: QuizView) => void;
	'quiz:tally': (event: { questionId: string; tally: Tally }) => void;
	'quiz:closed': (event: {
		questionId: string;
		correct: number;
		tally: Tally;
		leaderboard: LeaderboardEntry[];
	}) => void;
}

type NoPayload = Record<string, never>;

type Handler<Payload, Result> = (payload: Payload, ack: (reply: Ack<Result>) => void) => void;

/** Every client request, its payload and what its ack carries. */
export interface ClientToServerEvents {
	'chat:send': Handler<z.input<typeof ChatSend>, { id: string; at: number }>;
	'chat:private': Handler<z.input<typeof ChatPrivate>, { id: string; at: number }>;
	'chat:delete': Handler<z.input<typeof ChatDelete>, null>;
	'chat:history': Handler<z.input<typeof ChatHistory>, { messages: ChatMessage[] }>;
	'chat:lock': Handler<z.input<typeof ChatLock>, ChatSettings>;
	'chat:slow-mode': Handler<z.input<typeof ChatSlowMode>, ChatSettings>;
	'moderation:mute': Handler<z.input<typeof ModerationMute>, null>;
	'moderation:remove': Handler<z.input<typeof ModerationRemove>, null>;
	'presence:list': Handler<
		z.input<typeof PresenceList>,
		{ members: ListedMember[]; next: string | null; count: number }
	>;
	'hand:raise': Handler<NoPayload, { position: number }>;
	'hand:lower': Handler<NoPayload, null>;
	'hand:dismiss': Handler<z.input<typeof HandTarget>, null>;
	'hand:list': Handler<NoPayload, { queue: Member[] }>;
	'stage:invite': Handler<z.input<typeof StageTarget>, null>;
	'stage:accept': Handler<NoPayload, { stage: string[] }>;
	'stage:decline': Handler<NoPayload, null>;
	'stage:leave': Handler<NoPayload, null>;
	'stage:remove': Handler<z.input<typeof StageTarget>, null>;
	'stage:list': Handler<NoPayload, { members: StageMember[] }>;
	'stage:mute': Handler<z.input<typeof StageMute>, null>;
	'poll:open': Handler<z.input<typeof PollOpen>, PollView>;
	'poll:answer': Handler<z.input<typeof PollAnswer>, null>;
	'poll:close': Handler<z.input<typeof PollRef>, { tally: Tally }>;
	'poll:results': Handler<z.input<typeof PollRef>, { open: boolean; tally: Tally }>;
	'quiz:ask': Handler<z.input<typeof QuizAsk>, QuizView>;
	'quiz:answer': Handler<z.input<typeof QuizAnswer>, null>;
	'quiz:close': Handler<z.input<typeof QuizRef>, { correct: number; tally: Tally }>;
	/** Teacher only: carries the right answer while the question is open. */
	'quiz:results': Handler<
		z.input<typeof QuizRef>,
		{ open: boolean; correct: number; tally: Tally }
	>;
	'quiz:leaderboard': Handler<NoPayload, { leaderboard: LeaderboardEntry[] }>;
}

export type ClassRequestName = keyof ClientToServerEvents;

/** What a request sends. */
export type ClassRequest<Name extends ClassRequestName> = Parameters<ClientToServerEvents[Name]>[0];

/** What the ack of a request carries when it succeeds. */
export type ClassReply<Name extends ClassRequestName> = Parameters<
	ClientToServerEvents[Name]
>[1] extends (reply: Ack<infer Result>) => void
	? Result
	: never;
