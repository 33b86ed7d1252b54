import type { WorkerLike } from './runner.ts';

/** A fresh sandbox worker; Vite bundles sandbox.worker.ts as its own file from this exact pattern. */
export function createSandboxWorker(client: string): WorkerLike {
  return new Worker(new URL('./sandbox.worker.ts', import.meta.url), { type: 'module', name: client }) as unknown as WorkerLike;
}
