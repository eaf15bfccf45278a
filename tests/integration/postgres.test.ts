import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Database } from '../../app-api/db/Database.ts';
import { migrateToLatest } from '../../app-api/db/migrate.ts';
import { migrations } from '../../app-api/migrations/index.ts';
import { createKysely } from '../../common/clients/postgres.ts';
import { createTestResources, type TestResources } from '../support/resources.ts';

describe('PostgreSQL through kysely', () => {
	let resources: TestResources;
	let db: Kysely<Database>;

	beforeAll(async () => {
		resources = await createTestResources();
		db = createKysely<Database>(resources.databaseUrl, 2);
	});

	afterAll(async () => {
		await db.destroy();
		await resources.release();
	});

	it('migrateToLatest() applies every migration once, then none', async () => {
		expect(await migrateToLatest(db)).toEqual(Object.keys(migrations));
		expect(await migrateToLatest(db)).toEqual([]);
	});

	it('stores a teacher and a class and reads them back', async () => {
		const teacher = await db
			.insertInto('users')
			.values({
				email: 'asha@example.test',
				display_name: 'Asha',
				role: 'teacher',
				password_hash: null,
			})
			.returningAll()
			.executeTakeFirstOrThrow();

		await db
			.insertInto('classes')
			.values({
				teacher_id: teacher.id,
				title: 'Algebra',
				starts_at: '2026-12-04T10:00:00Z',
				duration_minutes: 60,
			})
			.execute();

		const row = await db
			.selectFrom('classes')
			.innerJoin('users', 'users.id', 'classes.teacher_id')
			.select(['classes.title', 'classes.state', 'classes.starts_at', 'users.display_name'])
			.executeTakeFirstOrThrow();

		expect(row).toEqual({
			title: 'Algebra',
			state: 'scheduled',
			starts_at: new Date('2026-12-04T10:00:00Z'),
			display_name: 'Asha',
		});
	});

	it('refuses a class state outside the schema', async () => {
		const insert = sql`INSERT INTO classes (teacher_id, title, starts_at, duration_minutes, state)
			SELECT id, 'x', now(), 30, 'paused' FROM users LIMIT 1`.execute(db);

		await expect(insert).rejects.toThrow(/classes_state_check/);
	});
});
