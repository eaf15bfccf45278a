// The typed shape of the PostgreSQL schema, as the migrations leave it.

import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export type UserRole = 'admin' | 'teacher' | 'student';

export type ClassState = 'scheduled' | 'live' | 'ended' | 'cancelled';

export interface UsersTable {
	id: Generated<string>;
	email: string;
	display_name: string;
	role: UserRole;
	password_hash: string | null;
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

export interface Database {
	users: UsersTable;
	classes: ClassesTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type Class = Selectable<ClassesTable>;
export type NewClass = Insertable<ClassesTable>;
