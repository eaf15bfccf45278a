import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Database } from '../../app-api/db/Database.ts';
import { migrateToLatest } from '../../app-api/db/migrate.ts';
import { migrations } from '../../app-api/migrations/index.ts';
import { createKysely } from '../../common/clients/postgres.ts';
import { prepareQuery } from '../../common/clients/preparedQuery.ts';
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

	it('prepareQuery() runs its query as a named statement with the arguments of each call', async () => {
		const single = createKysely<Database>(resources.databaseUrl, 1);

		try {
			const titlesOf = prepareQuery(single, (teacherName: string, minimumMinutes: number) =>
				single
					.selectFrom('classes')
					.innerJoin('users', 'users.id', 'classes.teacher_id')
					.select('classes.title')
					.where('users.display_name', '=', teacherName)
					.where('classes.duration_minutes', '>=', minimumMinutes)
					.where('classes.state', '=', 'scheduled'),
			);

			expect((await titlesOf('Asha', 30)).rows).toEqual([{ title: 'Algebra' }]);
			expect((await titlesOf('Asha', 90)).rows).toEqual([]);
			expect((await titlesOf("Asha' OR '1'='1", 0)).rows).toEqual([]);

			// One connection, so the statement it prepared is visible to the next query.
			const prepared = await sql<{ statement: string }>`
				SELECT statement FROM pg_prepared_statements`.execute(single);

			expect(prepared.rows.map((row) => row.statement)).toEqual([
				expect.stringContaining('"users"."display_name" = $1'),
			]);
		} finally {
			await single.destroy();
		}
	});

	it('prepareQuery() refuses an argument that is not used as a value', () => {
		expect(() =>
			// The argument only names nothing: it never reaches the SQL.
			prepareQuery(db, (_unused: string) => db.selectFrom('users').select('id')),
		).toThrow(/argument 0/);
	});
});
