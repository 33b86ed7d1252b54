/**
 * `npm run dev`: Astro's dev server (hot reload) and the companion server,
 * together. One Ctrl+C stops both; if either dies, the other is stopped too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { configFromArgvOrExit } from '../server/cli.ts';
import { stopWithParent } from '../server/main.ts';
import { root } from './site-build.ts';

const argv = process.argv.slice(2);
// The companion owns its flags: a typo or --help is answered here, before either child starts.
const config = configFromArgvOrExit(argv);

const children: ChildProcess[] = [];
let exiting = false;

function launch(name: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env: process.env });
  child.on('exit', (code, signal) => {
    if (exiting) return;
    process.stderr.write(`\n${name} stopped (${signal ?? `exit ${code}`}); stopping the rest.\n`);
    shutdown(code ?? 1);
  });
  children.push(child);
  return child;
}

function shutdown(code: number): void {
  if (exiting) return;
  exiting = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 5500).unref();
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null))).then(
    () => process.exit(code),
    () => process.exit(code),
  );
}

launch('companion server', [`${root}server/main.ts`, ...argv]);
launch('astro dev', [`${root}node_modules/astro/bin/astro.mjs`, 'dev']);
process.stdout.write(
  `\nDev mode: the course with hot reload at http://localhost:4321/ (Astro), ` +
    `the companion server at http://localhost:${config.port}/. Ctrl+C stops both.\n\n`,
);
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
process.on('SIGHUP', () => shutdown(0));
// A SIGTERM to `npm run dev` ends npm and its shell, not this process: stop with them.
stopWithParent(() => shutdown(0));
