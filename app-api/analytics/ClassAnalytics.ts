// Per-class figures from the events signaling writes to MongoDB. Counting is
// done by aggregation pipelines in the database, with only the stages that
// FerretDB 1.x and MongoDB share ($match, $group); attendance over time (peak
// concurrency, watch time) is a sweep over the join and leave events in
// order, done here because it carries state from one event to the next.

import type { Db } from 'mongodb';

import {
	ANALYTICS_EVENTS_COLLECTION,
	type AnalyticsEvent,
} from '../../common/events/AnalyticsEvent.ts';

export interface PollParticipation {
	pollId: string;
	/** Distinct users who answered. */
	participants: number;
	answers: number;
}

export interface ClassAnalytics {
	attendance: {
		uniqueAttendees: number;
		peakConcurrent: number;
		averageWatchSeconds: number;
	};
	chatMessages: number;
	handRaises: number;
	polls: PollParticipation[];
}

/**
 * Aggregates one class. Users still present at `until` (the end of the
 * class, or now while it is live) are counted as leaving then.
 */
export async function aggregateClassAnalytics(
	db: Db,
	classId: string,
	until: Date,
): Promise<ClassAnalytics> {
	const events = db.collection<AnalyticsEvent>(ANALYTICS_EVENTS_COLLECTION);

	const [counts, polls, presence] = await Promise.all([
		events
			.aggregate<{ _id: string; count: number }>([
				{ $match: { classId, type: { $in: ['chat', 'hand_raise'] } } },
				{ $group: { _id: '$type', count: { $sum: 1 } } },
			])
			.toArray(),
		// One row per (poll, user); summing per poll happens below, because
		// FerretDB 1.x answers 0 for a `$sum` over a field of an earlier `$group`.
		events
			.aggregate<{ _id: { pollId?: unknown }; answers: number }>([
				{ $match: { classId, type: 'answer' } },
				{ $group: { _id: { pollId: '$pollId', userId: '$userId' }, answers: { $sum: 1 } } },
			])
			.toArray(),
		events
			.find(
				{ classId, type: { $in: ['join', 'leave'] } },
				{ projection: { _id: 0, userId: 1, type: 1, at: 1 } },
			)
			.sort({ at: 1 })
			.toArray(),
	]);

	const countOf = (type: string): number => counts.find((row) => row._id === type)?.count ?? 0;

	return {
		attendance: sweepAttendance(presence, until),
		chatMessages: countOf('chat'),
		handRaises: countOf('hand_raise'),
		polls: participationByPoll(polls),
	};
}

function participationByPoll(
	rows: readonly { _id: { pollId?: unknown }; answers: number }[],
): PollParticipation[] {
	const byPoll = new Map<string, PollParticipation>();

	for (const row of rows) {
		const pollId = row._id.pollId;

		// An answer event without a pollId is malformed; it counts for no poll.
		if (typeof pollId !== 'string') {
			continue;
		}

		const poll = byPoll.get(pollId) ?? { pollId, participants: 0, answers: 0 };

		poll.participants += 1;
		poll.answers += row.answers;
		byPoll.set(pollId, poll);
	}

	return [...byPoll.values()].sort((a, b) => a.pollId.localeCompare(b.pollId));
}

/**
 * Walks join and leave events in time order. A user with several sockets
 * (tabs) is present while any is open, and counts once.
 */
export function sweepAttendance(
	events: readonly Pick<AnalyticsEvent, 'userId' | 'type' | 'at'>[],
	until: Date,
): ClassAnalytics['attendance'] {
	const open = new Map<string, { sockets: number; since: number }>();
	const watched = new Map<string, number>();
	let peak = 0;

	for (const event of events) {
		const at = Math.min(event.at.getTime(), until.getTime());
		const state = open.get(event.userId);

		if (event.type === 'join') {
			if (state === undefined) {
				open.set(event.userId, { sockets: 1, since: at });
				watched.set(event.userId, watched.get(event.userId) ?? 0);
				peak = Math.max(peak, open.size);
			} else {
				state.sockets++;
			}
		} else if (state !== undefined) {
			// A leave without a join (the join fell before the data kept) is ignored.
			state.sockets--;
			if (state.sockets === 0) {
				open.delete(event.userId);
				watched.set(event.userId, (watched.get(event.userId) ?? 0) + (at - state.since));
			}
		}
	}

	for (const [userId, state] of open) {
		watched.set(userId, (watched.get(userId) ?? 0) + Math.max(0, until.getTime() - state.since));
	}

	const total = [...watched.values()].reduce((sum, ms) => sum + ms, 0);

	return {
		uniqueAttendees: watched.size,
		peakConcurrent: peak,
		averageWatchSeconds: watched.size === 0 ? 0 : Math.round(total / watched.size / 1000),
	};
}
