import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import {
  createTranspiler,
  serveTranspile,
  TRANSPILE_HELLO,
  transpileForSandbox,
  type TranspileReply,
  type TranspileRequest,
  type TranspileScope,
  type TranspileWorkerLike,
} from '../../../src/runtime/runner/transpile-service.ts';

describe('transpileForSandbox', () => {
  it('removes the types, keeps the code as written, marks the file a module and maps it', () => {
    const out = transpileForSandbox(ts, 'const n: number = 1;\nconsole.log(n as number);\n', 'lesson/shared.ts');
    expect(out.js).toBe('const n = 1;\nconsole.log(n);\nexport {};\n//# sourceMappingURL=shared.js.map');
    expect(JSON.parse(out.map)).toMatchObject({ version: 3, file: 'shared.js', sources: ['shared.ts'] });
  });

  it('does not type check: a type error still gives JavaScript (the editor shows the error)', () => {
    expect(transpileForSandbox(ts, "const n: number = 'one';", 'x.ts').js).toContain("const n = 'one';");
  });
});

/** A worker double: what the page posted, and a way to answer as the worker would. */
function fakeWorker() {
  const posted: (TranspileRequest | string)[] = [];
  const worker: TranspileWorkerLike & { posted: typeof posted; terminated: boolean } = {
    posted,
    terminated: false,
    onmessage: null,
    onerror: null,
    postMessage: (message) => void posted.push(message),
    terminate() {
      worker.terminated = true;
    },
  };
  const reply = (data: TranspileReply) => worker.onmessage?.({ data } as MessageEvent<TranspileReply>);
  return { worker, reply };
}

describe('createTranspiler', () => {
  it('starts one worker on the first request, says hello first, and answers requests by id', async () => {
    const made: ReturnType<typeof fakeWorker>[] = [];
    const transpiler = createTranspiler(() => {
      const fake = fakeWorker();
      made.push(fake);
      return fake.worker;
    });
    expect(made).toHaveLength(0);
    const first = transpiler.transpile('let a: string;', 'p/a.ts');
    const second = transpiler.transpile('let b: string;', 'p/b.ts');
    expect(made).toHaveLength(1);
    const [{ worker, reply }] = made as [ReturnType<typeof fakeWorker>];
    expect(worker.posted).toEqual([
      TRANSPILE_HELLO,
      { id: 1, source: 'let a: string;', fileName: 'p/a.ts' },
      { id: 2, source: 'let b: string;', fileName: 'p/b.ts' },
    ]);
    reply({ id: 2, js: 'let b;', map: '{"b":1}' });
    reply({ id: 1, error: 'broken' });
    await expect(second).resolves.toEqual({ js: 'let b;', map: '{"b":1}' });
    await expect(first).rejects.toThrow('broken');
  });

  it('rejects what is waiting when the worker fails to start, and starts a new one for the next request', async () => {
    const made: ReturnType<typeof fakeWorker>[] = [];
    const transpiler = createTranspiler(() => {
      const fake = fakeWorker();
      made.push(fake);
      return fake.worker;
    });
    const waiting = transpiler.transpile('x', 'x.ts');
    const broken = made[0] as ReturnType<typeof fakeWorker>;
    broken.worker.onerror?.({ message: 'Failed to fetch', preventDefault() {} } as ErrorEvent);
    await expect(waiting).rejects.toThrow('The TypeScript compiler could not start: Failed to fetch. Reload the page and run again.');
    expect(broken.worker.terminated).toBe(true);
    const next = transpiler.transpile('y', 'y.ts');
    expect(made).toHaveLength(2);
    (made[1] as ReturnType<typeof fakeWorker>).reply({ id: 2, js: 'y', map: '{}' });
    await expect(next).resolves.toEqual({ js: 'y', map: '{}' });
  });
});

describe('serveTranspile', () => {
  it('answers each request with the JavaScript and its map, or the error', () => {
    const replies: TranspileReply[] = [];
    const scope: TranspileScope = { onmessage: null, postMessage: (message) => void replies.push(message) };
    serveTranspile(scope, ts);
    scope.onmessage?.({ data: { id: 7, source: 'const s: string = "a";', fileName: 'a.ts' } } as MessageEvent);
    expect(replies[0]).toMatchObject({ id: 7, js: 'const s = "a";\nexport {};\n//# sourceMappingURL=a.js.map' });
    const throwing = { ...ts, transpileModule: () => { throw new Error('compiler failed'); } } as unknown as typeof ts;
    serveTranspile(scope, throwing);
    scope.onmessage?.({ data: { id: 8, source: '', fileName: 'b.ts' } } as MessageEvent);
    expect(replies[1]).toEqual({ id: 8, error: 'compiler failed' });
  });
});
