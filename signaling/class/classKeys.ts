// Names of every Redis key that holds a class's live state. Each process
// may serve any member, so nothing about a class lives only in memory.

export const classKeys = (classId: string) => {
	const base = `class:${classId}`;

	return {
		/** Hash: chat settings (`locked`, `slowModeSeconds`). */
		chatSettings: `${base}:chat:settings`,
		/** List: the newest messages as JSON, newest first. */
		chatRecent: `${base}:chat:recent`,
		/** Set: ids of deleted messages still in the recent list. */
		chatDeleted: `${base}:chat:deleted`,
		/** String with expiry: the slow-mode lock of one user. */
		slowMode: (userId: string) => `${base}:chat:slow:${userId}`,
		/** Set: muted userIds. */
		muted: `${base}:muted`,
		/** Set: removed userIds; they cannot join again. */
		removed: `${base}:removed`,
		/** Sorted set: userId by the time its presence expires (ms). */
		presenceExpiry: `${base}:presence:expiry`,
		/** Hash: userId to the member as JSON. */
		presenceMembers: `${base}:presence:members`,
		/** Sorted set (lexicographic): `<lowercase name>\u0000<userId>`, for paging and search. */
		presenceNames: `${base}:presence:names`,
		/** Sorted set: hand-raise queue, userId by time raised. */
		hands: `${base}:hands`,
		/** Set: the stage (shared with the media side, which checks it before `produce`). */
		stage: `${base}:stage`,
		/** Set: userIds invited to the stage who have not answered. */
		stageInvites: `${base}:stage:invites`,
		/** Set: ids of the open polls (or quiz questions). */
		openBallots: (kind: 'poll' | 'quiz') => `${base}:${kind}:open`,
		/** Hash: a poll's or quiz question's definition and state. */
		ballot: (id: string) => `${base}:ballot:${id}`,
		/** Hash: option index to count, plus `voters`. */
		ballotTally: (id: string) => `${base}:ballot:${id}:tally`,
		/** Set: who answered. */
		ballotVoters: (id: string) => `${base}:ballot:${id}:voters`,
		/** Sorted set: quiz points per userId across questions. */
		leaderboard: `${base}:quiz:leaderboard`,
		/** Hash: userId to display name, for the leaderboard. */
		leaderboardNames: `${base}:quiz:names`,
		/** String with expiry: the class has ended (or was cancelled); nobody joins. */
		ended: `${base}:ended`,
	};
};

/** Set of classIds with anyone present, so any process can expire a dead process's members. */
export const PRESENCE_CLASSES = 'presence:classes';
