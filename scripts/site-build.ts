import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { glob } from 'tinyglobby';

/**
 * "Build if stale" for `npm start` and `npm test`: the site is rebuilt only when
 * a file it is built from changed. A content hash, not mtimes, so a fresh clone
 * (every mtime new) and a touched-but-unchanged file both do the right thing.
 */
export const root = fileURLToPath(new URL('../', import.meta.url));
const distDir = `${root}dist/`;
const stampFile = `${distDir}.full-duplex-build`;

const inputs = [
  'src/**',
  'quiz/**',
  'protocol/**',
  'samples/**',
  'public/**',
  'astro.config.mjs',
  'scripts/precompress.ts',
  'tsconfig.json',
  'package-lock.json',
];

export async function inputHash(): Promise<string> {
  const files = (await glob(inputs, { cwd: root, dot: false, onlyFiles: true })).sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file).update('\0').update(await readFile(`${root}${file}`)).update('\0');
  }
  return hash.digest('hex');
}

export async function isStale(): Promise<boolean> {
  if (!existsSync(`${distDir}index.html`) || !existsSync(stampFile)) return true;
  return readFileSync(stampFile, 'utf8').trim() !== (await inputHash());
}

export function run(command: string, args: string[], options: { quiet?: boolean } = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      env: process.env,
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => {
      if (code !== 0 && options.quiet) process.stderr.write(output);
      resolve(code ?? 1);
    });
  });
}

/**
 * Runs a command with its output (stdout and stderr, in arrival order) held
 * rather than shown, for stages that run side by side and print in one piece.
 */
export function runCaptured(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/**
 * Builds the site when needed. Resolves true when the build is fresh. With
 * `onOutput`, everything the build says goes there instead of the terminal.
 */
export async function buildIfStale(options: { force?: boolean; quiet?: boolean; onOutput?: (text: string) => void } = {}): Promise<boolean> {
  if (!options.force && !(await isStale())) {
    options.onOutput?.('The built site is up to date.\n');
    return true;
  }
  const hash = await inputHash();
  const say = options.onOutput ?? ((text: string) => process.stdout.write(text));
  say('Building the course site (astro build)…\n');
  const args = [`${root}node_modules/astro/bin/astro.mjs`, 'build'];
  let code: number;
  if (options.onOutput) {
    const result = await runCaptured(process.execPath, args);
    options.onOutput(result.output);
    code = result.code;
  } else {
    code = await run(process.execPath, args, options);
  }
  if (code !== 0) return false;
  writeFileSync(stampFile, `${hash}\n`);
  return true;
}
