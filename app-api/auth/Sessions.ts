// Bearer sessions: an opaque random token goes to the client, its SHA-256
// stays in PostgreSQL with an expiry. A stolen database therefore holds no
// usable token, and logging out deletes the row.

import { createHash, randomBytes } from 'node:crypto';

import type { Kysely } from 'kysely';

import { ApiError } from '../ApiError.ts';
import type { Database, UserRole } from '../db/Database.ts';

/** The caller of a request, as its session proves. */
export interface AuthUser {
	id: string;
	email: string;
	displayName: string;
	role: UserRole;
}

const BEARER = /^Bearer ([A-Za-z0-9_-]{43})$/;

const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url');

/**
 * The stored hash of the token in an `Authorization: Bearer` header, for
 * routes that look the session up inside a larger query; an ApiError
 * `unauthorized` when the header holds no well-formed token.
 */
export function bearerTokenHash(header: string | undefined): string {
	const token = BEARER.exec(header ?? '')?.[1];

	if (token === undefined) {
		throw new ApiError('unauthorized', 'send Authorization: Bearer <session token>');
	}

	return hashToken(token);
}

export class Sessions {
	readonly #db: Kysely<Database>;
	readonly #ttlSeconds: number;

	constructor(db: Kysely<Database>, ttlSeconds: number) {
		this.#db = db;
		this.#ttlSeconds = ttlSeconds;
	}

	/** Opens a session for a user; returns the token, which is never stored. */
	async create(userId: string): Promise<{ token: string; expiresAt: Date }> {
		const token = randomBytes(32).toString('base64url');
		const expiresAt = new Date(Date.now() + this.#ttlSeconds * 1000);

		await this.#db
			.insertInto('sessions')
			.values({ token_hash: hashToken(token), user_id: userId, expires_at: expiresAt })
			.execute();

		return { token, expiresAt };
	}

	/**
	 * The user of an `Authorization: Bearer <token>` header, or an ApiError
	 * `unauthorized`. With roles given, a caller of another role gets `forbidden`.
	 */
	async authenticate(header: string | undefined, roles?: readonly UserRole[]): Promise<AuthUser> {
		const tokenHash = bearerTokenHash(header);
		const row = await this.#db
			.selectFrom('sessions')
			.innerJoin('users', 'users.id', 'sessions.user_id')
			.select(['users.id', 'users.email', 'users.display_name', 'users.role'])
			.where('sessions.token_hash', '=', tokenHash)
			.where('sessions.expires_at', '>', new Date())
			.executeTakeFirst();

		if (row === undefined) {
			throw new ApiError('unauthorized', 'the session is unknown or has expired; log in again');
		}

		if (roles !== undefined && !roles.includes(row.role)) {
			throw new ApiError('forbidden', `only ${roles.join(' or ')} accounts may do this`);
		}

		return { id: row.id, email: row.email, displayName: row.display_name, role: row.role };
	}

	/** Ends the session of a token; unknown tokens are ignored. */
	async revoke(header: string | undefined): Promise<void> {
		const token = BEARER.exec(header ?? '')?.[1];

		if (token !== undefined) {
			await this.#db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute();
		}
	}
}
