import { describe, expect, it } from 'vitest';

import type { ReplayEvent } from '../../recorder/Timeline.ts';
import { describeEvents } from '../../web/replay/describeEvents.ts';

const poll: ReplayEvent = {
	offsetSeconds: 5,
	type: 'poll',
	data: {
		phase: 'opened',
		pollId: 'p1',
		question: 'Ready for the test?',
		options: ['yes', 'no', 'maybe'],
		multiple: false,
	},
};
const quiz: ReplayEvent = {
	offsetSeconds: 70,
	type: 'quiz',
	data: {
		phase: 'asked',
		questionId: 'q1',
		question: '2 + 2?',
		options: ['3', '4'],
		closesAt: 1_900_000_000_000,
	},
};

describe('describeEvents()', () => {
	it('words a chat message with its sender and the time into the recording', () => {
		const [line] = describeEvents([
			{
				offsetSeconds: 61.9,
				type: 'chat',
				data: { id: 'm1', userId: 'u1', displayName: 'Student Sam', text: 'hello' },
			},
		]);

		expect(line).toBe('1:01 Student Sam: hello');
	});

	it('words a poll when it opens, and its results with the question when it closes', () => {
		const closed: ReplayEvent = {
			offsetSeconds: 9,
			type: 'poll',
			data: { phase: 'closed', pollId: 'p1', tally: { counts: [1, 0, 1], voters: 2 } },
		};

		expect(describeEvents([poll, closed])).toEqual([
			'0:05 Poll: Ready for the test? (yes / no / maybe)',
			'0:09 Poll closed: Ready for the test? yes 1 · no 0 · maybe 1 (2 answered)',
		]);
	});

	it('gives the counts alone for a closed poll whose opening is not in the list', () => {
		const [line] = describeEvents([
			{
				offsetSeconds: 0,
				type: 'poll',
				data: { phase: 'closed', pollId: 'p9', tally: { counts: [3, 4], voters: 7 } },
			},
		]);

		expect(line).toBe('0:00 Poll closed: 3 · 4 (7 answered)');
	});

	it('words a quiz question, and the right answer with the results when it closes', () => {
		const closed: ReplayEvent = {
			offsetSeconds: 100,
			type: 'quiz',
			data: { phase: 'closed', questionId: 'q1', correct: 1, tally: { counts: [0, 1], voters: 1 } },
		};

		expect(describeEvents([quiz, closed])).toEqual([
			'1:10 Quiz: 2 + 2? (3 / 4)',
			'1:40 Quiz closed: 2 + 2? Answer: 4. 3 0 · 4 1 (1 answered)',
		]);
	});

	it('words stage changes and raised hands by name, and an unnamed member plainly', () => {
		const lines = describeEvents([
			{
				offsetSeconds: 1,
				type: 'stage',
				data: { userId: 'u1', displayName: 'Sam', onStage: true },
			},
			{ offsetSeconds: 2, type: 'stage', data: { userId: 'u1', onStage: false } },
			{ offsetSeconds: 3, type: 'hand_raise', data: { userId: 'u2', displayName: 'Ada' } },
		]);

		expect(lines).toEqual([
			'0:01 Sam joined the stage',
			'0:02 A member left the stage',
			'0:03 Ada raised a hand',
		]);
	});

	it('shows an event of a shape it does not know as its type and data', () => {
		const [line] = describeEvents([{ offsetSeconds: 4, type: 'chat', data: { n: 1 } }]);

		expect(line).toBe('0:04 chat {"n":1}');
	});
});
