// A demo class for `npm start`: a teacher link, a stage-student link and an
// audience (HLS) link with join tokens signed by the local keys, the student
// already on stage.

import { randomUUID } from 'node:crypto';

import { signJoinToken, type SigningKey } from '../../common/auth/JoinToken.ts';
import { createRedis } from '../../common/clients/redis.ts';
import { stageKey } from './MediaSignaling.ts';

/** Long enough for a demo session; production tokens come from the app API. */
const DEMO_TOKEN_TTL_SECONDS = 12 * 60 * 60;

export interface DemoLinks {
	classId: string;
	teacher: string;
	stage: string;
	audience: string;
}

export async function createDemoClass(
	key: SigningKey,
	redisUrl: string,
	origin: string,
): Promise<DemoLinks> {
	const classId = randomUUID();
	const teacherId = randomUUID();
	const studentId = randomUUID();
	const teacher = signJoinToken(
		key,
		{
			classId,
			userId: teacherId,
			displayName: 'Teacher',
			role: 'teacher',
			grants: { publish: true, moderate: true },
		},
		DEMO_TOKEN_TTL_SECONDS,
	);
	const student = signJoinToken(
		key,
		{
			classId,
			userId: studentId,
			displayName: 'Student',
			role: 'student',
			grants: { publish: false, moderate: false },
		},
		DEMO_TOKEN_TTL_SECONDS,
	);
	const viewer = signJoinToken(
		key,
		{
			classId,
			userId: randomUUID(),
			displayName: 'Viewer',
			role: 'audience',
			grants: { publish: false, moderate: false },
		},
		DEMO_TOKEN_TTL_SECONDS,
	);
	const redis = createRedis(redisUrl);

	try {
		await redis.sadd(stageKey(classId), studentId);
		await redis.expire(stageKey(classId), DEMO_TOKEN_TTL_SECONDS);
	} finally {
		redis.disconnect();
	}

	return {
		classId,
		teacher: `${origin}/teacher/#token=${teacher}`,
		stage: `${origin}/stage/#token=${student}`,
		audience: `${origin}/audience/#token=${viewer}`,
	};
}
