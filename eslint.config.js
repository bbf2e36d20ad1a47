import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'coverage/**', 'examples/**', '__tests__/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', performance: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' }
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off'
    }
  },
  {
    // Text reaches the log through RunnerIO only (toolOutput for what tools print): a raw write
    // would let a tool's `::add-mask::` or `::set-output::` line act as a workflow command.
    files: ['actions/**/*.ts', 'packages-shared/**/*.ts'],
    ignores: ['packages-shared/io-actions.ts', 'cli/main.ts', 'cli/log-render.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'stdout', message: 'Print through RunnerIO (io.toolOutput for what a tool printed).' },
        { object: 'process', property: 'stderr', message: 'Print through RunnerIO (io.toolOutput for what a tool printed).' }
      ]
    }
  }
)
