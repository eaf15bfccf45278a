/** True for PostgreSQL's unique_violation (23505), optionally on one constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
	if (typeof error !== 'object' || error === null) {
		return false;
	}

	const { code, constraint: violated } = error as { code?: unknown; constraint?: unknown };

	return code === '23505' && (constraint === undefined || violated === constraint);
}
