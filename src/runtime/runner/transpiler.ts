import TsWorker from '../editor/ts.worker.ts?worker';
import { createTranspiler, type Transpiler, type TranspileWorkerLike } from './transpile-service.ts';

/**
 * The page's one transpiler for Run, shared by every TypeScript playground
 * (and loaded only when one needs it: element.ts imports this dynamically).
 */
let shared: Transpiler | null = null;

export function sharedTranspiler(): Transpiler {
  shared ??= createTranspiler(() => new TsWorker() as unknown as TranspileWorkerLike);
  return shared;
}
