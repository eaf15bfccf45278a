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

function event(atSeconds: number): TimelineEvent {
	return { classId: CLASS_ID, at: new Date(T0 + atSeconds * 1000), type: 'chat', data: {} };
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
});
