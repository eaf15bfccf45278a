// The typed shape of the PostgreSQL schema, as the migrations leave it.

import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export type UserRole = 'admin' | 'teacher' | 'student';

export type ClassState = 'scheduled' | 'live' | 'ended' | 'cancelled';

export type RecordingState = 'recording' | 'processing' | 'ready' | 'failed';

export interface UsersTable {
	id: Generated<string>;
	email: string;
	display_name: string;
	role: UserRole;
	password_hash: string | null;
	created_at: CreatedAt;
}

/** Bearer sessions; only the SHA-256 of the token is stored. */
export interface SessionsTable {
	token_hash: string;
	user_id: string;
	expires_at: ColumnType<Date, Date | string, never>;
	created_at: CreatedAt;
}

export interface ClassesTable {
	id: Generated<string>;
	teacher_id: string;
	title: string;
	starts_at: ColumnType<Date, Date | string, Date | string>;
	duration_minutes: number;
	state: Generated<ClassState>;
	started_at: ColumnType<Date | null, never, Date | string | null>;
	ended_at: ColumnType<Date | null, never, Date | string | null>;
	created_at: CreatedAt;
}

export interface EnrollmentsTable {
	class_id: string;
	user_id: string;
	/** The payment that granted it; null when an operator enrolled the student. */
	payment_id: string | null;
	created_at: CreatedAt;
}

/** A purchase that grants enrollment; one per (user, idempotency key). */
export interface PaymentsTable {
	id: Generated<string>;
	user_id: string;
	class_id: string;
	idempotency_key: string;
	amount_cents: number;
	currency: string;
	created_at: CreatedAt;
}

export interface RecordingsTable {
	id: Generated<string>;
	class_id: string;
	/** Object key of the VOD's HLS playlist. */
	playlist_key: string;
	/** Object key of the single-file MP4. */
	mp4_key: string;
	duration_seconds: number;
	size_bytes: ColumnType<string, number | string, number | string>;
	state: RecordingState;
	created_at: CreatedAt;
}

export interface Database {
	users: UsersTable;
	sessions: SessionsTable;
	classes: ClassesTable;
	enrollments: EnrollmentsTable;
	payments: PaymentsTable;
	recordings: RecordingsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type Class = Selectable<ClassesTable>;
export type NewClass = Insertable<ClassesTable>;
export type Payment = Selectable<PaymentsTable>;
export type Recording = Selectable<RecordingsTable>;
