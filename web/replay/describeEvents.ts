// How the replay page words a recording's timeline events, one line each:
// who said what, what a poll or quiz asked and how it ended, who joined or
// left the stage, who raised a hand. No DOM here, so it is tested in Node.

import {
	TimelineEntry,
	type PollClosedData,
	type PollOpenedData,
	type QuizAskedData,
	type QuizClosedData,
} from '../../common/events/TimelineEvent.ts';
import type { ReplayEvent } from '../../recorder/Timeline.ts';

/**
 * One line per event, in the order given. A closed poll or quiz is worded
 * with the question of its opening event, wherever that is in the list.
 */
export function describeEvents(events: readonly ReplayEvent[]): string[] {
	const entries = events.map((event) => TimelineEntry.safeParse(event).data);
	const polls = new Map<string, PollOpenedData>();
	const quizzes = new Map<string, QuizAskedData>();

	for (const entry of entries) {
		if (entry?.type === 'poll' && entry.data.phase === 'opened') {
			polls.set(entry.data.pollId, entry.data);
		} else if (entry?.type === 'quiz' && entry.data.phase === 'asked') {
			quizzes.set(entry.data.questionId, entry.data);
		}
	}

	return events.map((event, index) => {
		const entry = entries[index];
		const what =
			entry === undefined
				? `${event.type} ${JSON.stringify(event.data)}`
				: describe(entry, polls, quizzes);

		return `${clock(event.offsetSeconds)} ${what}`;
	});
}

function describe(
	entry: TimelineEntry,
	polls: ReadonlyMap<string, PollOpenedData>,
	quizzes: ReadonlyMap<string, QuizAskedData>,
): string {
	switch (entry.type) {
		case 'chat':
			return 'deleted' in entry.data
				? 'A message was deleted'
				: `${entry.data.displayName}: ${entry.data.text}`;
		case 'poll':
			return pollLine(entry.data, polls);
		case 'quiz':
			return quizLine(entry.data, quizzes);
		case 'stage': {
			const who = entry.data.displayName ?? 'A member';

			return `${who} ${entry.data.onStage ? 'joined' : 'left'} the stage`;
		}
		case 'hand_raise':
			return `${entry.data.displayName} raised a hand`;
	}
}

function pollLine(
	data: PollOpenedData | PollClosedData,
	polls: ReadonlyMap<string, PollOpenedData>,
): string {
	if (data.phase === 'opened') {
		const several = data.multiple ? ', several answers allowed' : '';

		return `Poll: ${data.question} (${data.options.join(' / ')}${several})`;
	}

	const opened = polls.get(data.pollId);

	return ['Poll closed:', opened?.question, results(opened?.options, data.tally)]
		.filter((part) => part !== undefined)
		.join(' ');
}

function quizLine(
	data: QuizAskedData | QuizClosedData,
	quizzes: ReadonlyMap<string, QuizAskedData>,
): string {
	if (data.phase === 'asked') {
		return `Quiz: ${data.question} (${data.options.join(' / ')})`;
	}

	const asked = quizzes.get(data.questionId);
	const answer = asked?.options[data.correct] ?? `option ${data.correct + 1}`;

	return [
		'Quiz closed:',
		asked?.question,
		`Answer: ${answer}.`,
		results(asked?.options, data.tally),
	]
		.filter((part) => part !== undefined)
		.join(' ');
}

/** `yes 1 · no 0 · maybe 1 (2 answered)`; without the options, the counts alone. */
function results(
	options: readonly string[] | undefined,
	tally: { counts: number[]; voters: number },
): string {
	const counts = tally.counts.map((count, index) => {
		const option = options?.[index];

		return option === undefined ? String(count) : `${option} ${count}`;
	});

	return `${counts.join(' · ')} (${tally.voters} answered)`;
}

/** `m:ss` into the recording. */
function clock(offsetSeconds: number): string {
	const minutes = Math.floor(offsetSeconds / 60);
	const seconds = Math.floor(offsetSeconds % 60)
		.toString()
		.padStart(2, '0');

	return `${minutes}:${seconds}`;
}
