import js from '@eslint/js';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import astro from 'eslint-plugin-astro';
import globals from 'globals';
import { folderMapRule } from './tools/eslint-folder-map.js';

/**
 * The README's folder map, enforced: which folder may import which. Keep the
 * README table and CONTRIBUTING.md in step with these rows. The longest
 * folder that contains a file governs it; test/ and the root configs are free.
 */
export const FOLDER_MAP = [
  { folder: 'protocol/', mayImport: [], packages: ['zod'], rule: 'protocol/ may import zod only.' },
  { folder: 'server/', mayImport: ['protocol/'], rule: 'server/ may import protocol/ only (src/ and server/ never meet).' },
  {
    folder: 'server/scale/',
    mayImport: ['protocol/', 'server/'],
    packages: ['redis'],
    rule: 'server/scale/ may import protocol/, the rest of server/ and the redis package (the one place that talks to Redis).',
  },
  { folder: 'server/labs/', mayImport: ['protocol/', 'labs/', 'server/'], rule: 'server/labs/ may import protocol/, labs/ and the rest of server/.' },
  {
    folder: 'labs/',
    mayImport: [],
    packages: ['zod', 'ws'],
    rule: "labs/ may import zod (schema.ts) and, in the TypeScript starters and solutions (learner code), ws and Node's built-ins.",
  },
  { folder: 'quiz/', mayImport: ['protocol/'], rule: 'quiz/ may import protocol/ only.' },
  {
    folder: 'src/components/',
    mayImport: ['src/runtime/', 'src/course.ts', 'quiz/', 'labs/', 'protocol/'],
    rule: 'src/components/ may import src/runtime/, src/course.ts, quiz/, labs/ and protocol/.',
  },
  { folder: 'src/runtime/', mayImport: ['protocol/'], rule: 'src/runtime/ may import protocol/ only.' },
  { folder: 'src/course.ts', mayImport: [], rule: 'src/course.ts imports nothing of the repository.' },
  { folder: 'src/loaders/', mayImport: ['quiz/', 'src/course.ts'], rule: 'src/loaders/ may import quiz/ and src/course.ts.' },
  { folder: 'src/content.config.ts', mayImport: ['src/loaders/'], rule: 'src/content.config.ts may import src/loaders/.' },
  { folder: 'src/route-data.ts', mayImport: ['src/components/'], rule: 'src/route-data.ts may import src/components/.' },
  { folder: 'samples/', mayImport: [], rule: 'samples/ may import only its own platform\'s libraries, nothing else of the repository.' },
  { folder: 'scripts/', mayImport: ['server/', 'tools/'], rule: 'scripts/ may import server/ and tools/.' },
  { folder: 'tools/', mayImport: [], rule: 'tools/ imports nothing of the repository.' },
  {
    folder: 'bench/',
    mayImport: ['protocol/', 'server/', 'quiz/', 'labs/', 'src/', 'samples/', 'tools/'],
    rule: 'bench/ may import everything but test/ (what tests and benches share lives in tools/).',
  },
  { folder: 'astro.config.mjs', mayImport: ['scripts/', 'src/course.ts'], rule: 'astro.config.mjs may import scripts/ and src/course.ts.' },
];

export default defineConfig(
  // test/fixtures/lint/ holds imports that are wrong on purpose: test/unit/folder-map.test.ts lints them.
  { ignores: ['dist/', '.astro/', 'node_modules/', 'reports/', 'bench/results/', '.scratch/', 'test/fixtures/lint/'] },
  js.configs.recommended,
  tseslint.configs.strict,
  astro.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.browser },
    },
    plugins: { 'folder-map': { rules: { imports: folderMapRule } } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'folder-map/imports': ['error', { root: fileURLToPath(new URL('.', import.meta.url)), rows: FOLDER_MAP }],
    },
  },
  {
    files: ['test/e2e/**', 'bench/**', 'scripts/**', 'tools/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "Property[key.name='waitUntil'][value.value='networkidle']",
          message: "networkidle alone can fire before the page is parsed: use load() or reload() from tools/chrome.ts.",
        },
      ],
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
  {
    // A lab's own-client starter runs in the same sandbox, which also gives it the lab server's address.
    files: ['labs/*/client.js'],
    languageOptions: { globals: { ...globals.worker, clientName: 'readonly', LAB_URL: 'readonly' } },
  },
);
