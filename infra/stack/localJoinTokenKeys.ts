import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A fresh JOIN_TOKEN_KEYS value with one random key. */
export function randomJoinTokenKeys(id = 'local'): string {
	return `${id}:${randomBytes(32).toString('base64url')}`;
}

/**
 * The JOIN_TOKEN_KEYS of a local installation: made once and kept in the data
 * folder, so tokens stay valid across restarts of `npm start`.
 */
export function localJoinTokenKeys(file: string): string {
	if (existsSync(file)) {
		return readFileSync(file, 'utf8').trim();
	}

	const keys = randomJoinTokenKeys();

	mkdirSync(dirname(file), { recursive: true });
	writeFileSync(file, `${keys}\n`, { mode: 0o600 });

	return keys;
}
