/** A short, single-line reason for a failed connection attempt. */
export function describeError(error: unknown): string {
	if (error instanceof AggregateError && error.errors.length > 0) {
		return describeError(error.errors[0]);
	}

	if (error instanceof Error) {
		const code = (error as NodeJS.ErrnoException).code;
		const message = error.message.split('\n')[0] ?? error.name;

		return code !== undefined && !message.includes(code) ? `${message} (${code})` : message;
	}

	return String(error);
}
