// The quiz leaderboard: the best scores of the class so far.

import type { LeaderboardEntry } from '../../../signaling/protocol/class.ts';
import { h } from './dom.ts';

/** The leaderboard as an ordered list; `selfId` marks this member's own line. */
export function renderLeaderboard(
	entries: readonly LeaderboardEntry[],
	selfId?: string,
): HTMLElement {
	if (entries.length === 0) {
		return h('p', { className: 'leaderboard' }, 'No points scored yet.');
	}

	return h(
		'ol',
		{ className: 'leaderboard', ariaLabel: 'Leaderboard' },
		...entries.map((entry) =>
			h(
				'li',
				{ className: entry.userId === selfId ? 'own' : '' },
				`${entry.userId === selfId ? 'You' : entry.displayName}: ${entry.points} points`,
			),
		),
	);
}
