import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import astro from 'eslint-plugin-astro';
import globals from 'globals';

export default defineConfig(
  { ignores: ['dist/', '.astro/', 'node_modules/', 'reports/', 'bench/results/', '.scratch/'] },
  js.configs.recommended,
  tseslint.configs.strict,
  astro.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.browser },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Playground starters are unfinished on purpose: the learner completes them.
    files: ['samples/playgrounds/**'],
    languageOptions: { globals: { ...globals.worker } },
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
  {
    // The playground sandbox gives every client its name (src/runtime/runner/sandbox.worker.ts).
    files: ['samples/playgrounds/**'],
    languageOptions: { globals: { clientName: 'readonly' } },
  },
);
