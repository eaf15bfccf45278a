// Join tokens: short-lived, signed statements that a user may join one class
// in one role with some grants. The app API signs them; signaling verifies
// them. HS256 JWTs with a key id, so keys rotate: the first configured key
// signs, every configured key verifies.

import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';

export const Role = z.enum(['teacher', 'student', 'audience']);
export type Role = z.infer<typeof Role>;

export const JoinClaims = z.object({
	classId: z.uuid(),
	userId: z.uuid(),
	displayName: z.string().min(1).max(80),
	role: Role,
	grants: z.object({
		/** May send media to the SFU (teacher; a student only once put on stage). */
		publish: z.boolean(),
		/** May run the class: stage, polls, moderation. */
		moderate: z.boolean(),
	}),
});
export type JoinClaims = z.infer<typeof JoinClaims>;

export interface SigningKey {
	id: string;
	secret: Uint8Array<ArrayBuffer>;
}

export type JoinTokenErrorCode = 'token_expired' | 'token_invalid';

export class JoinTokenError extends Error {
	override readonly name = 'JoinTokenError';

	constructor(
		readonly code: JoinTokenErrorCode,
		message: string,
	) {
		super(message);
	}
}

const ISSUER = 'live-classroom';
const AUDIENCE = 'signaling';

/**
 * Parses JOIN_TOKEN_KEYS: comma-separated `id:secret` pairs, secrets in
 * base64url of at least 32 bytes. The first key signs.
 */
export function parseSigningKeys(value: string): SigningKey[] {
	return value.split(',').map((pair) => {
		const [id = '', secret = ''] = pair.trim().split(':');
		const bytes = Buffer.from(secret, 'base64url');

		if (!/^[A-Za-z0-9_-]{1,32}$/.test(id) || bytes.length < 32) {
			throw new TypeError(
				'each key must be id:secret with a base64url secret of at least 32 bytes',
			);
		}

		return { id, secret: new Uint8Array(bytes) };
	});
}

/**
 * Each secret as an HMAC CryptoKey, imported once: given raw bytes, jose
 * imports the key again on every sign and verify, which was the largest
 * single cost of the join-token route.
 */
const cryptoKeys = new WeakMap<SigningKey, Promise<CryptoKey>>();

function cryptoKeyOf(key: SigningKey): Promise<CryptoKey> {
	let imported = cryptoKeys.get(key);

	if (imported === undefined) {
		imported = crypto.subtle.importKey(
			'raw',
			key.secret,
			{ name: 'HMAC', hash: 'SHA-256' },
			false,
			['sign', 'verify'],
		);
		cryptoKeys.set(key, imported);
	}

	return imported;
}

export async function signJoinToken(
	key: SigningKey,
	claims: JoinClaims,
	ttlSeconds: number,
): Promise<string> {
	return new SignJWT({ ...JoinClaims.parse(claims) })
		.setProtectedHeader({ alg: 'HS256', kid: key.id })
		.setIssuer(ISSUER)
		.setAudience(AUDIENCE)
		.setSubject(claims.userId)
		.setIssuedAt()
		.setExpirationTime(`${ttlSeconds}s`)
		.sign(await cryptoKeyOf(key));
}

/** Verifies signature, expiry and shape; throws a JoinTokenError with a stable code. */
export async function verifyJoinToken(
	keys: readonly SigningKey[],
	token: string,
): Promise<JoinClaims> {
	try {
		const { payload } = await jwtVerify(
			token,
			(header) => {
				const key = keys.find((candidate) => candidate.id === header.kid);

				if (key === undefined) {
					throw new JoinTokenError('token_invalid', 'token signed with an unknown key');
				}

				return cryptoKeyOf(key);
			},
			{ issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] },
		);
		const claims = JoinClaims.safeParse(payload);

		if (!claims.success) {
			throw new JoinTokenError('token_invalid', 'token claims are malformed');
		}

		return claims.data;
	} catch (error) {
		if (error instanceof JoinTokenError) {
			throw error;
		}

		if (error instanceof errors.JWTExpired) {
			throw new JoinTokenError('token_expired', 'join token has expired; ask for a new one');
		}

		throw new JoinTokenError('token_invalid', 'join token is not valid');
	}
}
