// Rows as the API shows them: camelCase, ISO timestamps, no secrets.

import type { Class, User } from './db/Database.ts';

export function userView(user: Pick<User, 'id' | 'email' | 'display_name' | 'role'>) {
	return { id: user.id, email: user.email, displayName: user.display_name, role: user.role };
}

export function classView(row: Class) {
	return {
		id: row.id,
		teacherId: row.teacher_id,
		title: row.title,
		startsAt: row.starts_at.toISOString(),
		durationMinutes: row.duration_minutes,
		state: row.state,
		startedAt: row.started_at?.toISOString() ?? null,
		endedAt: row.ended_at?.toISOString() ?? null,
	};
}
