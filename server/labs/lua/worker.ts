import { parentPort, workerData } from 'node:worker_threads';
import { courseModules } from './modules.ts';
import { createLuaVm, type LuaVm } from './vm.ts';
import { cutLogText } from '../engine.ts';
import { SEND_BUFFER_BYTES, type FromWorker, type ToWorker, type WorkerInit } from './messages.ts';

/**
 * One lab server: one Lua VM in its own thread, so a runaway handler can only
 * stall this thread, never the companion. It boots without code (the engine
 * keeps one booted spare, so Run only waits for the compile), then `load`
 * brings the learner's handler. Every later message is one event for the VM;
 * its effects go back as messages, in order.
 */
const port = parentPort;
if (!port) throw new Error('worker.ts runs as a worker thread');
const init = workerData as WorkerInit;
const post = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

let timer: NodeJS.Timeout | null = null;
/** Bytes of each connection's sends the main thread has not yet passed to the kernel (it says so: 'flushed'). */
const unsent = new Map<string, number>();

function schedule(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  const deadline = vm.deadline;
  if (deadline === null) return;
  timer = setTimeout(() => guard(() => vm.tick()), Math.max(0, deadline - Date.now()));
}

/** A failure outside the learner's coroutines (the VM itself) ends the lab server. */
function guard(run: () => void): void {
  try {
    run();
  } catch (error) {
    post({ t: 'fatal', message: `the Lua VM failed: ${(error as Error).message}` });
    return;
  }
  schedule();
}

const vm: LuaVm = await createLuaVm(
  {
    budget: init.budget,
    memoryMax: init.memoryMax,
    modules: courseModules(),
    sharedDicts: [],
    now: () => Date.now(),
    pid: process.pid,
  },
  {
    // Cut here: a string of megabytes the handler built never crosses to the main thread.
    log: (level, text, line) => post({ t: 'log', time: Date.now(), level, text: cutLogText(text), line }),
    send: (conn, bytes) => {
      const copy = new Uint8Array(bytes);
      unsent.set(conn, (unsent.get(conn) ?? 0) + copy.byteLength);
      post({ t: 'send', conn, bytes: copy }, [copy.buffer]);
    },
    full: (conn) => (unsent.get(conn) ?? 0) > SEND_BUFFER_BYTES,
    accept: (conn, protocol) => post({ t: 'accept', conn, protocol }),
    finish: (conn, status) => {
      unsent.delete(conn);
      post({ t: 'finish', conn, status });
    },
  },
);

let loaded = false;
port.on('message', (message: ToWorker) => {
  switch (message.t) {
    case 'load': {
      if (loaded) return;
      const compiled = vm.compile(message.code);
      if (!compiled.ok) {
        post({ t: 'syntax', line: compiled.line, message: compiled.message });
        return;
      }
      loaded = true;
      vm.declareDicts(message.sharedDicts);
      post({ t: 'ready' });
      return;
    }
    case 'request':
      guard(() => vm.request(message.conn, message));
      return;
    case 'data':
      guard(() => vm.data(message.conn, message.bytes));
      return;
    case 'eof':
      guard(() => vm.eof(message.conn));
      return;
    case 'abort':
      guard(() => vm.abort(message.conn));
      return;
    case 'flushed': {
      const before = unsent.get(message.conn);
      if (before === undefined) return;
      const after = Math.max(0, before - message.bytes);
      unsent.set(message.conn, after);
      // Down to half: a handler waiting in a send goes on (runtime.lua Sock:send).
      if (before > SEND_BUFFER_BYTES / 2 && after <= SEND_BUFFER_BYTES / 2) guard(() => vm.writable(message.conn));
      return;
    }
    case 'ping':
      post({ t: 'pong', n: message.n, memory: vm.memoryUsed() });
      return;
  }
});
post({ t: 'booted' });
