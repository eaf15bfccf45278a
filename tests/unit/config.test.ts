import { describe, expect, it } from 'vitest';

import { loadConfig } from '../../common/config.ts';
import { ConfigError } from '../../common/ConfigError.ts';

function configError(env: NodeJS.ProcessEnv): ConfigError {
	try {
		loadConfig(env);
	} catch (error) {
		if (error instanceof ConfigError) {
			return error;
		}

		throw error;
	}

	throw new Error('loadConfig() accepted the environment');
}

describe('loadConfig()', () => {
	it('gives defaults that point at the local stack when nothing is set', () => {
		const config = loadConfig({});

		expect(config.appApi.port).toBe(8080);
		expect(config.postgres.url).toBeUndefined();
		expect(config.s3.bucket).toBe('classroom');
		expect(config.s3.forcePathStyle).toBe(true);
		expect(config.sfu.workers).toBeGreaterThan(0);
	});

	it('reads typed values from the environment', () => {
		const config = loadConfig({
			SIGNALING_PORT: '9001',
			DATABASE_URL: 'postgres://u:p@db.example:5432/classroom',
			S3_FORCE_PATH_STYLE: 'false',
			SFU_WORKERS: '3',
		});

		expect(config.signaling.port).toBe(9001);
		expect(config.postgres.url).toBe('postgres://u:p@db.example:5432/classroom');
		expect(config.s3.forcePathStyle).toBe(false);
		expect(config.sfu.workers).toBe(3);
	});

	it('treats an empty value as unset', () => {
		expect(loadConfig({ DATABASE_URL: '', APP_API_PORT: '' }).appApi.port).toBe(8080);
	});

	it.each([
		['SIGNALING_PORT', 'abc', /^SIGNALING_PORT: must be a port number \(got "abc"\)$/],
		['APP_API_PORT', '70000', /^APP_API_PORT: must be a port between 1 and 65535 \(got "70000"\)$/],
		[
			'DATABASE_URL',
			'mysql://x@h/db',
			/^DATABASE_URL: must start with postgres:\/\/ or postgresql:\/\//,
		],
		['REDIS_URL', 'not a url', /^REDIS_URL: must be a URL/],
		['LOG_LEVEL', 'loud', /^LOG_LEVEL: .* \(got "loud"\)$/],
		['S3_BUCKET', 'Bad_Bucket', /^S3_BUCKET: must be an S3 bucket name/],
	])('refuses %s=%s with one line naming the setting', (setting, value, message) => {
		const error = configError({ [setting]: value });

		expect(error.setting).toBe(setting);
		expect(error.message).toMatch(message);
		expect(error.message).not.toContain('\n');
	});
});
