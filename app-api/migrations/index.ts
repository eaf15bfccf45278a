// Every migration, in order. Listed by hand rather than read from the folder
// so that bundled and compiled builds carry them too.

import type { Migration } from 'kysely';

import * as m0001 from './0001_users_and_classes.ts';

export const migrations: Record<string, Migration> = {
	'0001_users_and_classes': m0001,
};
