// Lint with type information: the rules that catch real bugs in async,
// strictly typed code, plus the few style rules the code relies on.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
	{ ignores: ['node_modules/', '.data/', 'dist/'] },
	js.configs.recommended,
	...tseslint.configs.strictTypeChecked,
	{
		languageOptions: {
			parserOptions: {
				projectService: { allowDefaultProject: ['*.js', 'infra/setup/*.mjs'] },
				tsconfigRootDir: import.meta.dirname,
			},
		},
		rules: {
			curly: ['error', 'all'],
			// Steps read as paragraphs: a blank line before every return.
			'padding-line-between-statements': [
				'error',
				{ blankLine: 'always', prev: '*', next: 'return' },
			],
			'no-console': 'error',
			// Async functions that do not await still honour a Promise-returning contract.
			'@typescript-eslint/require-await': 'off',
			'@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
			'@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
		},
	},
	{
		files: ['**/*.js', '**/*.mjs'],
		...tseslint.configs.disableTypeChecked,
		languageOptions: { globals: { process: 'readonly' } },
	},
);
