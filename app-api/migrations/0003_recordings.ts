import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.createTable('recordings')
		.addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('class_id', 'uuid', (col) =>
			col.notNull().references('classes.id').onDelete('cascade'),
		)
		.addColumn('playlist_key', 'text', (col) => col.notNull())
		.addColumn('mp4_key', 'text', (col) => col.notNull())
		.addColumn('duration_seconds', 'integer', (col) =>
			col.notNull().check(sql`duration_seconds >= 0`),
		)
		.addColumn('size_bytes', 'bigint', (col) => col.notNull().check(sql`size_bytes >= 0`))
		.addColumn('state', 'text', (col) =>
			col.notNull().check(sql`state IN ('recording', 'processing', 'ready', 'failed')`),
		)
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema
		.createIndex('recordings_class_idx')
		.on('recordings')
		.columns(['class_id', 'created_at'])
		.execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.dropTable('recordings').execute();
}
