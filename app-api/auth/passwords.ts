// Password hashing with scrypt (memory-hard, built into Node.js, no native
// module to build). Stored as `scrypt$N$r$p$salt$hash`, so the cost can be
// raised later and old hashes still verify.

import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// N = 2^15 with r = 8 costs 32 MiB per hash, the figure commonly recommended
// for interactive logins; about 100 ms on one core here.
const COST = { N: 32_768, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
	const maxmem = 256 * (options.N ?? COST.N) * (options.r ?? COST.r);

	return new Promise((resolve, reject) => {
		scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...options, maxmem }, (error, key) => {
			if (error === null) {
				resolve(key);
			} else {
				reject(error);
			}
		});
	});
}

export async function hashPassword(password: string): Promise<string> {
	const salt = randomBytes(16);
	const key = await derive(password, salt, COST);

	return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')]
		.map(String)
		.join('$');
}

/** True when the password matches the stored hash; false for a malformed hash too. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
	const [scheme, n, r, p, salt, hash] = stored.split('$');

	if (scheme !== 'scrypt' || salt === undefined || hash === undefined) {
		return false;
	}

	const expected = Buffer.from(hash, 'base64url');
	const key = await derive(password, Buffer.from(salt, 'base64url'), {
		N: Number(n),
		r: Number(r),
		p: Number(p),
	});

	return key.length === expected.length && timingSafeEqual(key, expected);
}
