import { describe, expect, it } from 'vitest';
import type { ClientEvent } from '../../../src/runtime/recorder/events.ts';
import { Activity } from '../../../src/runtime/runner/activity.ts';
import type { RunMessage, SandboxMessage } from '../../../src/runtime/runner/messages.ts';
import { Run, type WorkerLike } from '../../../src/runtime/runner/runner.ts';
import { prepareJavaScript } from '../../../src/runtime/runner/prepare.ts';

class FakeWorker implements WorkerLike {
  received: RunMessage[] = [];
  terminated = false;
  onmessage: ((event: MessageEvent<SandboxMessage>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  postMessage(message: RunMessage): void {
    this.received.push(message);
  }
  terminate(): void {
    this.terminated = true;
  }
  say(message: SandboxMessage): void {
    this.onmessage?.({ data: message } as MessageEvent<SandboxMessage>);
  }
}

function setup(names: string[]) {
  const workers = new Map<string, FakeWorker>();
  const events: ClientEvent[] = [];
  let clock = 1_000;
  let ended = 0;
  const run = new Run(
    {
      clients: names.map((name) => ({ name, code: `wrapped ${name}`, ...{ mapPosition: prepareJavaScript('a\nb\nc').mapPosition } })),
      companion: 'http://127.0.0.1:5000',
      tag: 'tag-1',
    },
    {
      createWorker: (name) => {
        const worker = new FakeWorker();
        workers.set(name, worker);
        return worker;
      },
      now: () => clock,
      onEvent: (e) => events.push(e),
      onEnd: () => ended++,
    },
  );
  return { run, workers, events, tick: (ms: number) => (clock += ms), ended: () => ended };
}

describe('Run', () => {
  it('starts one sandbox per client with its code, the tag and the start time', () => {
    const { run, workers } = setup(['alice', 'bob']);
    run.start();
    expect(run.running).toBe(true);
    expect(workers.get('bob')?.received).toEqual([
      { type: 'run', client: 'bob', code: 'wrapped bob', companion: 'http://127.0.0.1:5000', tag: 'tag-1', startedAt: 1_000 },
    ]);
  });

  it('gives every sandbox the run\'s globals (a server lab\'s LAB_URL), and none when the run has none', () => {
    const worker = new FakeWorker();
    const run = new Run(
      { clients: [{ name: 'you', code: 'wrapped', mapPosition: prepareJavaScript('a').mapPosition }], companion: 'http://127.0.0.1:5000', tag: 'tag-2', globals: { LAB_URL: 'ws://127.0.0.1:5000/labs/0123456789abcdef' } },
      { createWorker: () => worker, now: () => 7, onEvent: () => {} },
    );
    run.start();
    expect(worker.received).toEqual([
      { type: 'run', client: 'you', code: 'wrapped', companion: 'http://127.0.0.1:5000', tag: 'tag-2', startedAt: 7, globals: { LAB_URL: 'ws://127.0.0.1:5000/labs/0123456789abcdef' } },
    ]);
  });

  it('passes events through and maps uncaught positions to the learner lines', () => {
    const { run, workers, events } = setup(['alice']);
    run.start();
    const alice = workers.get('alice') as FakeWorker;
    alice.say({ type: 'event', event: { kind: 'console', t: 1, client: 'alice', level: 'log', text: 'hi' } });
    alice.say({ type: 'event', event: { kind: 'uncaught', t: 2, client: 'alice', message: 'ReferenceError: x is not defined', line: 3, column: 7 } });
    alice.say({ type: 'event', event: { kind: 'uncaught', t: 3, client: 'alice', message: 'in the wrapper', line: 1, column: 1 } });
    expect(events).toEqual([
      { kind: 'console', t: 1, client: 'alice', level: 'log', text: 'hi' },
      { kind: 'uncaught', t: 2, client: 'alice', message: 'ReferenceError: x is not defined', line: 2, column: 7 },
      { kind: 'uncaught', t: 3, client: 'alice', message: 'in the wrapper', line: null, column: null },
    ]);
  });

  it('Stop terminates every sandbox at once and records why', () => {
    const { run, workers, events, tick, ended } = setup(['alice', 'bob']);
    run.start();
    tick(250);
    run.stop();
    expect([...workers.values()].map((w) => w.terminated)).toEqual([true, true]);
    expect(events).toEqual([
      { kind: 'run-end', client: 'alice', t: 250, reason: 'stopped' },
      { kind: 'run-end', client: 'bob', t: 250, reason: 'stopped' },
    ]);
    expect(run.running).toBe(false);
    expect(ended()).toBe(1);
    // Late messages from a terminated sandbox are ignored.
    (workers.get('alice') as FakeWorker).say({ type: 'idle' });
    expect(events).toHaveLength(2);
  });

  it('ends a client as finished when its sandbox goes idle, and the run when all have', () => {
    const { run, workers, events, ended } = setup(['alice', 'bob']);
    run.start();
    (workers.get('alice') as FakeWorker).say({ type: 'idle' });
    expect(workers.get('alice')?.terminated).toBe(true);
    expect(ended()).toBe(0);
    (workers.get('bob') as FakeWorker).say({ type: 'idle' });
    expect(events.map((e) => e.kind === 'run-end' && `${e.client}:${e.reason}`)).toEqual(['alice:finished', 'bob:finished']);
    expect(ended()).toBe(1);
  });

  it('reports a sandbox that failed to load as crashed', () => {
    const { run, workers, events } = setup(['alice']);
    run.start();
    workers.get('alice')?.onerror?.({ message: 'NetworkError', preventDefault() {} } as ErrorEvent);
    expect(events.map((e) => e.kind)).toEqual(['console', 'run-end']);
    expect(events[0]).toMatchObject({ level: 'error', text: 'The sandbox failed: NetworkError' });
    expect(events[1]).toMatchObject({ reason: 'crashed' });
  });
});

describe('Activity', () => {
  it('is idle only when the top level finished, no timer is pending and every socket closed', () => {
    const a = new Activity();
    expect(a.idle).toBe(false);
    a.topLevelFinished();
    expect(a.idle).toBe(true);
    a.timerStarted(1);
    a.socketOpened();
    a.timerEnded(1);
    expect(a.idle).toBe(false);
    a.socketClosed();
    expect(a.idle).toBe(true);
  });
});
