// `npm run app-api:create-admin -- <email> <display name>`: makes an admin
// account, the one role no route can create from nothing. The password comes
// from ADMIN_PASSWORD, so it stays out of the shell history and process list.

import { z } from 'zod';

import { createKysely } from '../common/clients/postgres.ts';
import { loadConfig, required } from '../common/config.ts';
import type { Database } from './db/Database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { Email, Password, text } from './schemas.ts';
import { createUser } from './users/createUser.ts';

const Input = z.strictObject({ email: Email, displayName: text(80), password: Password });

const [email, displayName] = process.argv.slice(2);
const input = Input.safeParse({ email, displayName, password: process.env.ADMIN_PASSWORD });

if (!input.success) {
	process.stderr.write(
		'usage: ADMIN_PASSWORD=<10+ characters> npm run app-api:create-admin -- <email> <name>\n' +
			`${input.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n')}\n`,
	);
	process.exit(2);
}

const config = loadConfig();
const db = createKysely<Database>(required(config.postgres.url, 'DATABASE_URL'), 1);

try {
	await migrateToLatest(db);

	const user = await createUser(db, { ...input.data, role: 'admin' });

	process.stdout.write(`admin ${user.email} created with id ${user.id}\n`);
} finally {
	await db.destroy();
}
