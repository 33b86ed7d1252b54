import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LAB_LIMITS } from '../../../protocol/labs.ts';
import { createLabsApi } from '../../../server/labs/api.ts';
import type { Engine, LabServer } from '../../../server/labs/engine.ts';
import { LabRegistry } from '../../../server/labs/registry.ts';
import { featureAllowed, resolveConfig } from '../../../server/config.ts';
import { AccessPolicy } from '../../../server/core/origin.ts';
import { createLogger } from '../../../server/log.ts';

/** A lab server that runs nothing: the registry and the reaper only see its connections and its end. */
function fakeServer(): LabServer & { stopped: number; conns: number; end(): void } {
  let resolveEnded!: () => void;
  const ended = new Promise<void>((resolve) => {
    resolveEnded = resolve;
  });
  const server = {
    engine: 'fake',
    log: [],
    stopped: 0,
    conns: 0,
    ended,
    get connections() {
      return server.conns;
    },
    handleUpgrade: () => {},
    onLog: () => () => {},
    memory: () => Promise.resolve(null),
    stop: () => {
      server.stopped += 1;
      resolveEnded();
      return ended;
    },
    end: () => resolveEnded(),
  };
  return server;
}

describe('LabRegistry', () => {
  it('reaps a server idle for ten minutes, not one with a connection, and counts only running servers', async () => {
    let t = 0;
    const registry = new LabRegistry({ now: () => t, max: 2, idleMs: LAB_LIMITS.idleMs });
    const idle = fakeServer();
    const busy = fakeServer();
    registry.add('a', idle, null);
    registry.add('b', busy, null);
    busy.conns = 1;
    expect(registry.full).toBe(true);
    t = LAB_LIMITS.idleMs - 1;
    expect(registry.sweep()).toEqual([]);
    t = LAB_LIMITS.idleMs;
    expect(registry.sweep().map((e) => e.id)).toEqual(['a']);
    expect(registry.size).toBe(1);
    busy.end();
    await busy.ended;
    expect(registry.size).toBe(0);
    expect(registry.get('b')?.ended).toBe(true);
  });

  it('an API call counts as activity', () => {
    let t = 0;
    const registry = new LabRegistry({ now: () => t, max: 8, idleMs: 1000 });
    registry.add('a', fakeServer(), null);
    t = 900;
    registry.get('a');
    t = 1800;
    expect(registry.sweep()).toEqual([]);
    t = 1900;
    expect(registry.sweep().map((e) => e.id)).toEqual(['a']);
  });
});

describe('createLabsApi', () => {
  let http: Server | null = null;
  afterEach(() => {
    http?.close();
    http = null;
  });

  it('stops a lab after ten idle minutes on its own schedule, with the injected clock', async () => {
    let t = 0;
    let reap = (): void => {
      throw new Error('the API did not schedule its reaper');
    };
    const server = fakeServer();
    const engine: Engine = { language: 'lua', label: 'fake', start: () => Promise.resolve({ ok: true, server }) };
    const api = createLabsApi({
      config: resolveConfig({ port: 0 }),
      access: new AccessPolicy({ boundHost: '127.0.0.1', port: 0, machineNames: [], allowHosts: [], allowOrigins: [], devPort: 4321 }),
      log: createLogger('silent'),
      now: () => t,
      hub: null,
      engines: [engine],
      labs: new Map(),
      every: (ms, fn) => {
        expect(ms).toBe(30_000);
        reap = fn;
        return () => {};
      },
    });
    const server_ = createServer((req, res) => {
      if (!api.handleHttp(req, res)) res.end();
    });
    http = server_;
    await new Promise<void>((resolve) => server_.listen(0, '127.0.0.1', resolve));
    const res = await fetch(`http://127.0.0.1:${(server_.address() as AddressInfo).port}/api/labs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"language":"lua","code":"return"}',
    });
    expect(res.status).toBe(201);
    expect(api.size).toBe(1);
    t = LAB_LIMITS.idleMs - 1;
    reap();
    expect(server.stopped).toBe(0);
    t = LAB_LIMITS.idleMs;
    reap();
    expect(server.stopped).toBe(1);
    expect(api.size).toBe(0);
  });
});

describe('labs beyond loopback', () => {
  it('are for this machine\'s own clients, others only with --labs', () => {
    const off = resolveConfig({ port: 0, host: '0.0.0.0' });
    const on = resolveConfig({ port: 0, host: '0.0.0.0', labs: true });
    expect(featureAllowed(off, 'labs', '127.0.0.1')).toBe(true);
    expect(featureAllowed(off, 'labs', '::ffff:127.0.0.1')).toBe(true);
    expect(featureAllowed(off, 'labs', '192.0.2.7')).toBe(false);
    expect(featureAllowed(on, 'labs', '192.0.2.7')).toBe(true);
  });
});
