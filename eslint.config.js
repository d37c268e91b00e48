// ESLint for TypeScript and Svelte 5 (typescript-eslint, eslint-plugin-svelte); run by `npm run check`.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

export default ts.config(
  { ignores: ['dist/', 'bin/dist/', 'public/', 'test-results/', 'playwright-report/', 'guest/.work/', 'node_modules/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    rules: {
      // unused names are errors, except those that say they are unused on purpose
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // the terminal and the CLI's tests match ANSI escapes (ESC is a control character on purpose)
      'no-control-regex': 'off',
      // plain Map/Set/URL in components and stores are caches and locals, never state the markup
      // reads: what the page draws is in $state
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
);
