/**
 * A setting that is missing, malformed or points at something unreachable.
 * Its message is one line that names the setting and the problem.
 */
export class ConfigError extends Error {
	override readonly name = 'ConfigError';

	constructor(
		readonly setting: string,
		problem: string,
	) {
		super(`${setting}: ${problem}`);
	}
}
