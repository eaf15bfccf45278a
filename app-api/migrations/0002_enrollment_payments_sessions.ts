import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await db.schema
		.createTable('sessions')
		.addColumn('token_hash', 'text', (col) => col.primaryKey())
		.addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
		.addColumn('expires_at', 'timestamptz', (col) => col.notNull())
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.execute();
	await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

	await db.schema
		.createTable('payments')
		.addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
		.addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id'))
		.addColumn('class_id', 'uuid', (col) => col.notNull().references('classes.id'))
		.addColumn('idempotency_key', 'text', (col) => col.notNull())
		.addColumn('amount_cents', 'integer', (col) => col.notNull().check(sql`amount_cents >= 0`))
		.addColumn('currency', 'text', (col) => col.notNull().check(sql`currency ~ '^[A-Z]{3}$'`))
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		// NOTE: the key is unique per payer, so two clients cannot collide by choosing the same key.
		.addUniqueConstraint('payments_user_key_unique', ['user_id', 'idempotency_key'])
		.execute();

	await db.schema
		.createTable('enrollments')
		.addColumn('class_id', 'uuid', (col) =>
			col.notNull().references('classes.id').onDelete('cascade'),
		)
		.addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
		.addColumn('payment_id', 'uuid', (col) => col.references('payments.id'))
		.addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
		.addPrimaryKeyConstraint('enrollments_pk', ['class_id', 'user_id'])
		.execute();
	await db.schema.createIndex('enrollments_user_idx').on('enrollments').column('user_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
	await db.schema.dropTable('enrollments').execute();
	await db.schema.dropTable('payments').execute();
	await db.schema.dropTable('sessions').execute();
}
