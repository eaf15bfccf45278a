import { z } from 'zod';

import { aggregateClassAnalytics } from '../analytics/ClassAnalytics.ts';
import { ApiError } from '../ApiError.ts';
import { loadOwnClass } from '../classes/loadClass.ts';
import type { RouteContext } from '../createApp.ts';
import { ErrorResponses, IdParams } from '../schemas.ts';

const AnalyticsView = z.strictObject({
	classId: z.uuid(),
	state: z.enum(['scheduled', 'live', 'ended', 'cancelled']),
	attendance: z.strictObject({
		uniqueAttendees: z.number().int(),
		peakConcurrent: z.number().int(),
		averageWatchSeconds: z.number().int(),
	}),
	chatMessages: z.number().int(),
	handRaises: z.number().int(),
	polls: z.array(
		z.strictObject({
			pollId: z.string(),
			participants: z.number().int(),
			answers: z.number().int(),
		}),
	),
});

export function registerAnalyticsRoutes({ app, db, sessions, mongo }: RouteContext): void {
	app.get(
		'/classes/:id/analytics',
		{
			schema: {
				summary: 'Attendance, chat volume and poll participation of a class',
				params: IdParams,
				response: { 200: AnalyticsView, ...ErrorResponses },
			},
		},
		async (request) => {
			const user = await sessions.authenticate(request.headers.authorization);
			const row = await loadOwnClass(db, request.params.id, user);

			if (row.state === 'scheduled' || row.state === 'cancelled') {
				throw new ApiError('invalid_state', `the class is ${row.state}; it has no analytics yet`);
			}

			const until = row.ended_at ?? new Date();

			return {
				classId: row.id,
				state: row.state,
				...(await aggregateClassAnalytics(mongo, row.id, until)),
			};
		},
	);
}
