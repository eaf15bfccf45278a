import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.createTable('users')
		.addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('email', 'text', (col) => col.notNull().unique())
		.addColumn('display_name', 'text', (col) => col.notNull())
		.addColumn('role', 'text', (col) =>
			col.notNull().check(sql`role IN ('admin', 'teacher', 'student')`),
		)
		.addColumn('password_hash', 'text')
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.execute();

	await db.schema
		.createTable('classes')
		.addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('teacher_id', 'uuid', (col) => col.notNull().references('users.id'))
		.addColumn('title', 'text', (col) => col.notNull())
		.addColumn('starts_at', 'timestamptz', (col) => col.notNull())
		.addColumn('duration_minutes', 'integer', (col) =>
			col.notNull().check(sql`duration_minutes > 0`),
		)
		.addColumn('state', 'text', (col) =>
			col
				.notNull()
				.defaultTo('scheduled')
				.check(sql`state IN ('scheduled', 'live', 'ended', 'cancelled')`),
		)
		.addColumn('started_at', 'timestamptz')
		.addColumn('ended_at', 'timestamptz')
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.execute();

	await db.schema
		.createIndex('classes_teacher_starts_idx')
		.on('classes')
		.columns(['teacher_id', 'starts_at'])
		.execute();
	await db.schema
		.createIndex('classes_state_starts_idx')
		.on('classes')
		.columns(['state', 'starts_at'])
		.execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.dropTable('classes').execute();
	await db.schema.dropTable('users').execute();
}
