// Every migration, in order. Listed by hand rather than read from the folder
// so that bundled and compiled builds carry them too.

import type { Migration } from 'kysely';

import * as m0001 from './0001_users_and_classes.ts';
import * as m0002 from './0002_enrollment_payments_sessions.ts';
import * as m0003 from './0003_recordings.ts';

export const migrations: Record<string, Migration> = {
	'0001_users_and_classes': m0001,
	'0002_enrollment_payments_sessions': m0002,
	'0003_recordings': m0003,
};
