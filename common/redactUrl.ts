/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
	try {
		const parsed = new URL(url);

		if (parsed.password !== '') {
			parsed.password = '***';
		}

		return parsed.toString();
	} catch {
		return '(unparsable URL)';
	}
}
