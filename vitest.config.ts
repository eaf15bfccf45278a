import { defineConfig } from 'vitest/config';

// Three projects: unit tests need nothing; integration and browser tests
// use the real local stack, which tests/setup/globalStack.ts brings up once
// per run (or takes from the environment that tests/run.ts prepared).
export default defineConfig({
	test: {
		pool: 'forks',
		globalSetup: ['tests/setup/globalStack.ts'],
		projects: [
			{
				extends: true,
				test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] },
			},
			{
				extends: true,
				test: {
					name: 'integration',
					include: ['tests/integration/**/*.test.ts'],
					testTimeout: 60_000,
					hookTimeout: 60_000,
				},
			},
			{
				extends: true,
				test: {
					name: 'browser',
					include: ['tests/browser/**/*.test.ts'],
					testTimeout: 90_000,
					hookTimeout: 60_000,
					// Each browser test drives several Chromium pages; two at once
					// would starve a 2-core machine.
					fileParallelism: false,
				},
			},
		],
	},
});
