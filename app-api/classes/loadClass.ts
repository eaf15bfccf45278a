import type { Kysely } from 'kysely';

import { ApiError } from '../ApiError.ts';
import type { AuthUser } from '../auth/Sessions.ts';
import type { Class, Database } from '../db/Database.ts';

/** A class, or an ApiError `not_found`. */
export async function loadClass(db: Kysely<Database>, classId: string): Promise<Class> {
	const row = await db
		.selectFrom('classes')
		.selectAll()
		.where('id', '=', classId)
		.executeTakeFirst();

	if (row === undefined) {
		throw new ApiError('not_found', 'no such class');
	}

	return row;
}

/** A class the caller runs (its teacher, or an admin), or an ApiError. */
export async function loadOwnClass(
	db: Kysely<Database>,
	classId: string,
	user: AuthUser,
): Promise<Class> {
	const row = await loadClass(db, classId);

	if (user.role !== 'admin' && row.teacher_id !== user.id) {
		throw new ApiError('forbidden', 'only the teacher of this class or an admin may do this');
	}

	return row;
}
