import { randomUUID } from 'node:crypto';

import { createDecoder } from 'fast-jwt';
import { describe, expect, it } from 'vitest';

import {
	JoinTokenError,
	parseSigningKeys,
	signJoinToken,
	verifyJoinToken,
	type JoinClaims,
} from '../../common/auth/JoinToken.ts';
import { randomJoinTokenKeys } from '../../infra/stack/localJoinTokenKeys.ts';

const claims: JoinClaims = {
	classId: randomUUID(),
	userId: randomUUID(),
	displayName: 'Ravi',
	role: 'student',
	grants: { publish: false, moderate: false },
};

/** The code of the JoinTokenError that verify() throws; undefined when it throws none. */
function refusalCode(verify: () => unknown): string | undefined {
	try {
		verify();
	} catch (error) {
		return error instanceof JoinTokenError ? error.code : undefined;
	}

	return undefined;
}

describe('join tokens', () => {
	const [oldKey, newKey] = parseSigningKeys(
		`${randomJoinTokenKeys('old')},${randomJoinTokenKeys('new')}`,
	);

	if (oldKey === undefined || newKey === undefined) {
		throw new Error('two keys expected');
	}

	it('verifyJoinToken() returns the claims signJoinToken() put in', () => {
		const token = signJoinToken(oldKey, claims, 60);

		expect(verifyJoinToken([oldKey], token)).toEqual(claims);
	});

	it('signJoinToken() writes an HS256 JWT naming its key, with issuer, audience and lifetime', () => {
		const before = Math.floor(Date.now() / 1000);
		const token = signJoinToken(oldKey, claims, 60);
		const decoded = createDecoder({ complete: true })(token) as {
			header: Record<string, unknown>;
			payload: Record<string, unknown>;
		};

		expect(decoded.header).toEqual({ alg: 'HS256', typ: 'JWT', kid: oldKey.id });
		expect(decoded.payload).toMatchObject({
			...claims,
			iss: 'live-classroom',
			aud: 'signaling',
			sub: claims.userId,
		});
		expect(decoded.payload.exp).toBe(Number(decoded.payload.iat) + 60);
		expect(Number(decoded.payload.iat)).toBeGreaterThanOrEqual(before);
	});

	it('verifies tokens of every configured key, so keys rotate', () => {
		const token = signJoinToken(oldKey, claims, 60);

		expect(verifyJoinToken([newKey, oldKey], token)).toEqual(claims);
		expect(refusalCode(() => verifyJoinToken([newKey], token))).toBe('token_invalid');
	});

	it('refuses an expired token with token_expired', () => {
		const token = signJoinToken(oldKey, claims, -1);

		expect(refusalCode(() => verifyJoinToken([oldKey], token))).toBe('token_expired');
	});

	it('refuses a tampered token with token_invalid', () => {
		const token = signJoinToken(oldKey, claims, 60);
		const [header, payload, signature] = token.split('.');
		const forged = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<
			string,
			unknown
		>;

		forged.role = 'teacher';

		const tampered = [
			header,
			Buffer.from(JSON.stringify(forged)).toString('base64url'),
			signature,
		].join('.');

		expect(refusalCode(() => verifyJoinToken([oldKey], tampered))).toBe('token_invalid');
		expect(refusalCode(() => verifyJoinToken([oldKey], 'not-a-token'))).toBe('token_invalid');
	});

	it('parseSigningKeys() refuses short secrets', () => {
		expect(() => parseSigningKeys('k:c2hvcnQ')).toThrow(TypeError);
	});
});
