import { describe, expect, it } from 'vitest';

import { sweepAttendance } from '../../../app-api/analytics/ClassAnalytics.ts';

const at = (seconds: number): Date => new Date(seconds * 1000);

describe('sweepAttendance()', () => {
	it('counts a user with two tabs once, present until the last tab leaves', () => {
		const result = sweepAttendance(
			[
				{ userId: 'u', type: 'join', at: at(0) },
				{ userId: 'u', type: 'join', at: at(10) },
				{ userId: 'u', type: 'leave', at: at(20) },
				{ userId: 'u', type: 'leave', at: at(30) },
			],
			at(100),
		);

		expect(result).toEqual({ uniqueAttendees: 1, peakConcurrent: 1, averageWatchSeconds: 30 });
	});

	it('closes open presence at the end and ignores a leave without a join', () => {
		const result = sweepAttendance(
			[
				{ userId: 'ghost', type: 'leave', at: at(5) },
				{ userId: 'a', type: 'join', at: at(0) },
				{ userId: 'b', type: 'join', at: at(50) },
			],
			at(100),
		);

		expect(result).toEqual({ uniqueAttendees: 2, peakConcurrent: 2, averageWatchSeconds: 75 });
	});

	it('reports zeros for a class nobody joined', () => {
		expect(sweepAttendance([], at(10))).toEqual({
			uniqueAttendees: 0,
			peakConcurrent: 0,
			averageWatchSeconds: 0,
		});
	});
});
