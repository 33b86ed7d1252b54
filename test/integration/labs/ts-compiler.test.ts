import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LOOP_MARK } from '../../../server/labs/ts/compile.ts';
import { createCompiler } from '../../../server/labs/ts/compiler.ts';

/**
 * The TypeScript labs' compile worker (server/labs/ts/compiler.ts) on its
 * own, with limits small enough to meet: labs compiled in the order they
 * came, a compile past its time or its memory answered as the learner's
 * (the worker ended, a new one started), the worker ended on dispose, and
 * never keeping the process alive by itself. The lab API's side of it is in
 * ts-engine.test.ts.
 */
const CHAIN = `const x = ${Array.from({ length: 20_000 }, () => 'a').join('+')};\n`;
const SOLUTION = readFileSync(new URL('../../../labs/echo/solution.ts', import.meta.url), 'utf8');

describe('createCompiler', () => {
  it('compiles in the order the labs came; one past its time is refused and the next compiles in a new worker', { timeout: 60_000 }, async () => {
    const compiler = createCompiler({ compileMs: 1000, compileStarvedMs: 5000, heapMiB: 256, bootMs: 20_000 });
    try {
      const done: string[] = [];
      const [first, slow, after] = await Promise.all(
        (
          [
            ['first', 'for (;;) break;\n'],
            ['slow', CHAIN],
            ['after', 'const n: number = 1;\n'],
          ] as const
        ).map(([name, code]) =>
          compiler.compile(code).then((compiled) => {
            done.push(name);
            return compiled;
          }),
        ),
      );
      expect(done).toEqual(['first', 'slow', 'after']);
      expect(first).toEqual({ ok: true, js: `for (;;) {${LOOP_MARK}(1);break;}\n` });
      expect(slow).toEqual({
        ok: false,
        error: 'syntax',
        line: 1,
        message:
          'Compiling your code took more than 1 s, so it was stopped: an expression of thousands of terms (a chain like a + a + …) compiles very slowly. Split it into smaller expressions or functions, then press Run again.',
      });
      expect(after).toEqual({ ok: true, js: 'const n         = 1;\n' });
    } finally {
      await compiler.dispose();
    }
  });

  it('a compile that outgrows the heap cap is refused as the learner\'s, and the next compiles', { timeout: 60_000 }, async () => {
    const compiler = createCompiler({ compileMs: 30_000, compileStarvedMs: 60_000, heapMiB: 32, bootMs: 20_000 });
    try {
      // A million characters (the lab API takes 128 K): the compiler's trees outgrow 32 MiB.
      const body = SOLUTION.replace(/^import .*$/gm, '');
      let code = "import { WebSocketServer } from 'ws';\n";
      for (let i = 0; code.length < 1_000_000; i++) code += `function copy${i}() {\n${body}\n}\n`;
      expect(await compiler.compile(code)).toEqual({
        ok: false,
        error: 'syntax',
        line: 1,
        message: 'Compiling your code needed more than 32 MiB of memory, so it was stopped. Split it into smaller expressions or functions, then press Run again.',
      });
      expect(await compiler.compile('const n: number = 1;\n')).toEqual({ ok: true, js: 'const n         = 1;\n' });
    } finally {
      await compiler.dispose();
    }
  });

  it('dispose ends the worker: a compile waiting for it rejects, and a later one starts a new worker', { timeout: 60_000 }, async () => {
    const compiler = createCompiler({ compileMs: 30_000, compileStarvedMs: 60_000, heapMiB: 256, bootMs: 20_000 });
    expect(await compiler.compile('let a = 1;\n')).toEqual({ ok: true, js: 'let a = 1;\n' });
    const waiting = compiler.compile(CHAIN);
    const outcome = waiting.then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    await compiler.dispose();
    expect(await outcome).toBe('the TypeScript compiler was stopped (the companion is closing)');
    expect(await compiler.compile('let b = 2;\n')).toEqual({ ok: true, js: 'let b = 2;\n' });
    await compiler.dispose();
  });

  it('never keeps the process alive by itself: a process that compiled and stopped nothing exits on its own', { timeout: 60_000 }, async () => {
    const module = fileURLToPath(new URL('../../../server/labs/ts/compiler.ts', import.meta.url));
    // An ES module by its syntax (not --input-type, which the worker would inherit and refuse its own file with).
    const script = `import { createCompiler } from ${JSON.stringify(module)};\nconst compiler = createCompiler({ compileMs: 30000, compileStarvedMs: 60000, heapMiB: 256, bootMs: 20000 });\nconsole.log(JSON.stringify(await compiler.compile('let a = 1;')));\n`;
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(process.execPath, ['--disable-warning=ExperimentalWarning', '-e', script], { timeout: 45_000 }, (_error, out) =>
        resolve({ code: child.exitCode, stdout: out }),
      );
    });
    expect({ code, stdout }).toEqual({ code: 0, stdout: '{"ok":true,"js":"let a = 1;"}\n' });
  });
});
