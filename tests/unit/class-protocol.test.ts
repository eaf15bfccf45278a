import { describe, expect, it } from 'vitest';

import { ChatSend, PollAnswer, PresenceList, QuizAsk } from '../../signaling/protocol/class.ts';

describe('class protocol schemas', () => {
	it('ChatSend trims and refuses empty or overlong text', () => {
		expect(ChatSend.parse({ text: '  hi  ' })).toEqual({ text: 'hi' });
		expect(ChatSend.safeParse({ text: '   ' }).success).toBe(false);
		expect(ChatSend.safeParse({ text: 'x'.repeat(501) }).success).toBe(false);
	});

	it('ChatSend refuses unknown fields, such as a class id', () => {
		expect(ChatSend.safeParse({ text: 'hi', classId: 'other' }).success).toBe(false);
	});

	it('QuizAsk requires the correct answer to be one of the options', () => {
		const quiz = { question: 'q', options: ['a', 'b'], seconds: 10 };

		expect(QuizAsk.safeParse({ ...quiz, correct: 1 }).success).toBe(true);
		expect(QuizAsk.safeParse({ ...quiz, correct: 2 }).success).toBe(false);
	});

	it('PollAnswer refuses ids with path characters and out-of-range choices', () => {
		expect(PollAnswer.safeParse({ pollId: 'a/b', choices: [0] }).success).toBe(false);
		expect(PollAnswer.safeParse({ pollId: 'p1', choices: [10] }).success).toBe(false);
		expect(PollAnswer.safeParse({ pollId: 'p1', choices: [] }).success).toBe(false);
	});

	it('PresenceList fills in its defaults', () => {
		expect(PresenceList.parse({})).toEqual({ search: '', limit: 50 });
	});
});
