// Zod pieces shared by the routes. Every object is strict, so an unknown
// field is refused rather than silently dropped.

import { z } from 'zod';

import { API_ERRORS, type ApiErrorCode } from './ApiError.ts';

/**
 * Text a person typed: trimmed length within bounds, and no NUL or other
 * control characters, which PostgreSQL refuses (NUL) or logs mangle.
 */
export function text(max: number, min = 1) {
	return z
		.string()
		.min(min)
		.max(max)
		.regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');
}

export const Email = z.email().max(254).toLowerCase();

export const Password = z.string().min(10).max(256);

export const IdParams = z.strictObject({ id: z.uuid() });

export const ClassIdParams = z.strictObject({ classId: z.uuid() });

export const Timestamp = z.iso.datetime({ offset: true });

export const UserView = z.strictObject({
	id: z.uuid(),
	email: z.string(),
	displayName: z.string(),
	role: z.enum(['admin', 'teacher', 'student']),
});

const ErrorView = z.strictObject({
	error: z.strictObject({
		code: z.enum(Object.keys(API_ERRORS) as [ApiErrorCode, ...ApiErrorCode[]]),
		message: z.string(),
		issues: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
	}),
});

/** Every route answers a refusal with this body (see ApiError.ts for the codes). */
export const ErrorResponses = { '4xx': ErrorView } as const;
