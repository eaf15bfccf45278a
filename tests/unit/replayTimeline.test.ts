import { describe, expect, it } from 'vitest';

import type { PlaylistSegment } from '../../recorder/playlist.ts';
import { replayTimeline, type TimelineEvent } from '../../recorder/Timeline.ts';

const CLASS_ID = '6f1d3c52-8a4e-4b7a-9f00-2d1c0e5a7b11';
const T0 = Date.parse('2030-01-01T10:00:00.000Z');

function segment(startSeconds: number, duration = 2, discontinuity = false): PlaylistSegment {
	return {
		uri: `seg_${startSeconds}.ts`,
		duration,
		discontinuity,
		programDateTime: new Date(T0 + startSeconds * 1000),
	};
}

function event(
	atSeconds: number,
	type: TimelineEvent['type'] = 'chat',
	data: TimelineEvent['data'] = {},
): TimelineEvent {
	return { classId: CLASS_ID, at: new Date(T0 + atSeconds * 1000), type, data };
}

function message(atSeconds: number, id: string, text: string): TimelineEvent {
	return event(atSeconds, 'chat', { id, userId: 'u1', displayName: 'Sam', text });
}

describe('replayTimeline()', () => {
	it('places events by their time since the first segment', () => {
		const replay = replayTimeline(CLASS_ID, [event(0.5), event(3.25)], [segment(0), segment(2)]);

		expect(replay?.recordingStartedAt).toBe(new Date(T0).toISOString());
		expect(replay?.events.map((e) => e.offsetSeconds)).toEqual([0.5, 3.25]);
	});

	it('does not shift events after a hole left by a restart', () => {
		// 0-4 s recorded, 4-7 s lost, recording again from 7 s.
		const segments = [segment(0), segment(2), segment(7, 2, true), segment(9)];
		const replay = replayTimeline(CLASS_ID, [event(8), event(10)], segments);

		expect(replay?.events.map((e) => e.offsetSeconds)).toEqual([5, 7]);
	});

	it('shows an event from inside the hole where the video resumes', () => {
		const segments = [segment(0), segment(2), segment(7, 2, true)];
		const replay = replayTimeline(CLASS_ID, [event(5)], segments);

		expect(replay?.events.map((e) => e.offsetSeconds)).toEqual([4]);
	});

	it('puts an event from before the recording at its start', () => {
		const replay = replayTimeline(CLASS_ID, [event(-3)], [segment(0)]);

		expect(replay?.events.map((e) => e.offsetSeconds)).toEqual([0]);
	});

	it('returns undefined when no segment carries a date-time', () => {
		const replay = replayTimeline(
			CLASS_ID,
			[event(1)],
			[{ uri: 'a.ts', duration: 2, discontinuity: false, programDateTime: undefined }],
		);

		expect(replay).toBeUndefined();
	});

	it('leaves out a deleted chat message and its deletion', () => {
		const events = [
			message(1, 'm1', 'keep me'),
			message(2, 'm2', 'delete me'),
			event(3, 'chat', { deleted: 'm2' }),
			message(4, 'm3', 'keep me too'),
		];
		const replay = replayTimeline(CLASS_ID, events, [segment(0), segment(2), segment(4)]);

		expect(replay?.events.map((e) => [e.offsetSeconds, e.type, e.data.id])).toEqual([
			[1, 'chat', 'm1'],
			[4, 'chat', 'm3'],
		]);
		expect(JSON.stringify(replay)).not.toContain('delete me');
	});

	it('leaves out a deleted message even when the deletion sorts first', () => {
		// Two processes' clocks may disagree by a millisecond or so.
		const events = [event(1, 'chat', { deleted: 'm1' }), message(1.001, 'm1', 'gone')];
		const replay = replayTimeline(CLASS_ID, events, [segment(0)]);

		expect(replay?.events).toEqual([]);
	});

	it('keeps everything else when the deleted message is not in the timeline', () => {
		// A private message, say: it is never in the timeline, but may be deleted.
		const events = [
			message(1, 'm1', 'kept'),
			event(1.5, 'chat', { deleted: 'private-1' }),
			event(2, 'hand_raise', { userId: 'u1', displayName: 'Sam' }),
		];
		const replay = replayTimeline(CLASS_ID, events, [segment(0), segment(2)]);

		expect(replay?.events.map((e) => [e.type, e.offsetSeconds])).toEqual([
			['chat', 1],
			['hand_raise', 2],
		]);
	});
});
