import type { Kysely } from 'kysely';

import { ApiError } from '../ApiError.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { Database, User, UserRole } from '../db/Database.ts';
import { isUniqueViolation } from '../db/isUniqueViolation.ts';

export interface NewAccount {
	email: string;
	password: string;
	displayName: string;
	role: UserRole;
}

/** Stores a user with a hashed password; a taken email is an ApiError `conflict`. */
export async function createUser(db: Kysely<Database>, account: NewAccount): Promise<User> {
	const passwordHash = await hashPassword(account.password);

	try {
		return await db
			.insertInto('users')
			.values({
				email: account.email,
				display_name: account.displayName,
				role: account.role,
				password_hash: passwordHash,
			})
			.returningAll()
			.executeTakeFirstOrThrow();
	} catch (error) {
		if (isUniqueViolation(error, 'users_email_key')) {
			throw new ApiError('conflict', 'an account with this email exists');
		}

		throw error;
	}
}
