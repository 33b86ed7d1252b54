import { parentPort } from 'node:worker_threads';
import { compileLab, loadTypeScript } from './compile.ts';
import type { FromCompiler, ToCompiler } from './compiler.ts';

/**
 * The compile worker's thread (compiler.ts starts it): it loads TypeScript
 * once, then compiles each lab it is sent, one at a time, with compile.ts.
 * Nothing else happens here, so a lab that takes the compiler minutes (or
 * all of its stack) stalls this thread only, never the companion's; the
 * companion ends the thread when a compile runs past its time.
 */
const port = parentPort;
if (!port) throw new Error('compile-worker.ts runs as a worker thread');
const post = (message: FromCompiler): void => port.postMessage(message);

const ts = await loadTypeScript();
port.on('message', ({ id, code }: ToCompiler) => {
  try {
    post({ t: 'done', id, compiled: compileLab(ts, code) });
  } catch (error) {
    // Not the learner's code (compileLab returns those): a fault of the compiler itself.
    post({ t: 'failed', id, message: error instanceof Error ? error.message : String(error) });
  }
});
post({ t: 'ready' });
