import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
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

describe('join tokens', () => {
	const [oldKey, newKey] = parseSigningKeys(
		`${randomJoinTokenKeys('old')},${randomJoinTokenKeys('new')}`,
	);

	if (oldKey === undefined || newKey === undefined) {
		throw new Error('two keys expected');
	}

	it('verifyJoinToken() returns the claims signJoinToken() put in', async () => {
		const token = await signJoinToken(oldKey, claims, 60);

		await expect(verifyJoinToken([oldKey], token)).resolves.toEqual(claims);
	});

	it('verifies tokens of every configured key, so keys rotate', async () => {
		const token = await signJoinToken(oldKey, claims, 60);

		await expect(verifyJoinToken([newKey, oldKey], token)).resolves.toEqual(claims);
		await expect(verifyJoinToken([newKey], token)).rejects.toMatchObject({ code: 'token_invalid' });
	});

	it('refuses an expired token with token_expired', async () => {
		const token = await signJoinToken(oldKey, claims, -1);

		await expect(verifyJoinToken([oldKey], token)).rejects.toMatchObject({ code: 'token_expired' });
	});

	it('refuses a tampered token with token_invalid', async () => {
		const token = await signJoinToken(oldKey, claims, 60);
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

		await expect(verifyJoinToken([oldKey], tampered)).rejects.toMatchObject({
			code: 'token_invalid',
		});
		await expect(verifyJoinToken([oldKey], 'not-a-token')).rejects.toMatchObject({
			code: 'token_invalid',
		});
	});

	it('parseSigningKeys() refuses short secrets', () => {
		expect(() => parseSigningKeys('k:c2hvcnQ')).toThrow(TypeError);
	});
});
