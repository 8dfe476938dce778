// Conventions as lint rules (docs/ARCHITECTURE.md): no SDK under src/commands, no console or
// process.exit outside the entry and output modules.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const SDKS = ['@aws-sdk/*', '@smithy/*', 'auth0', 'firebase-admin', 'firebase-admin/*', '@octokit/*', 'cloudflare', '@googleapis/*', 'nodemailer']

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'reports/**', '.stryker-tmp/**', 'schema/**', 'oclif.manifest.json']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {globals: {process: 'readonly', console: 'readonly', URL: 'readonly', fetch: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly', Buffer: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly'}},
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_'}],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/lib/ui/output.ts', 'src/lib/ui/process.ts', 'src/lib/sandbox/main.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': ['error', {object: 'process', property: 'exit', message: 'End the process through errors (exit codes) or src/lib/ui/process.ts.'}],
    },
  },
  {
    files: ['src/commands/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {patterns: [{group: SDKS, message: 'Commands are thin: SDK calls belong in src/lib/platform adapters.'}]}],
    },
  },
  {
    // Build-time stand-ins bundled in place of a package (scripts/build.mjs): CommonJS.
    files: ['scripts/bundle/*.cjs'],
    languageOptions: {sourceType: 'commonjs', globals: {require: 'readonly', module: 'writable'}},
    rules: {'@typescript-eslint/no-require-imports': 'off'},
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.mjs', 'scripts/**/*.mjs', 'bin/**/*.js'],
    rules: {'@typescript-eslint/no-unused-expressions': 'off'},
  },
)
