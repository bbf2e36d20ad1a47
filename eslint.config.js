import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import importX from 'eslint-plugin-import-x'
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript'

export default tseslint.config(
  { ignores: ['dist/**', 'dist.next*/**', 'node_modules/**', '.cache/**', 'coverage/**', 'examples/**', '__tests__/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly'
      }
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off'
    }
  },
  {
    // The floors never point back up (DESIGN.md): a cycle between modules is an error.
    files: ['actions/**/*.ts', 'packages-shared/**/*.ts', 'cli/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { ...importX.flatConfigs.typescript.settings, 'import-x/resolver-next': [createTypeScriptImportResolver()] },
    rules: { 'import-x/no-cycle': 'error' }
  },
  {
    // Text reaches the log through RunnerIO only (toolOutput for what tools print): a raw write
    // would let a tool's `::add-mask::` or `::set-output::` line act as a workflow command.
    files: ['actions/**/*.ts', 'packages-shared/**/*.ts', 'cli/**/*.ts'],
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
