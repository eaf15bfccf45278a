// The options a teacher types for a poll or quiz question, one a line.

/** The non-empty lines of a textarea, trimmed. */
export function optionLines(text: string): string[] {
	return text
		.split('\n')
		.map((line) => line.trim())
		.filter((line) => line !== '');
}
