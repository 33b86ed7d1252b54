/**
 * Server labs: how long Run takes to get a learner's Lua server listening
 * (warm: the engine has started a lab before), echo round trips per second
 * through an embedded lab server beside the companion's own /echo in the same
 * run, and the memory an idle lab server holds (its Lua VM); the same
 * Run → listening and round trips for a TypeScript lab (a child process).
 */
import WebSocket from 'ws';
import { LAB_PATHS } from '../protocol/labs.ts';
import { startServer } from '../server/app.ts';
import { openRestyEngine, openRestyMissing } from '../server/labs/openresty/engine.ts';
import { runIfMain, type BenchResult } from './types.ts';

const ECHO_MS = 2_000;
const PAYLOAD = 'x'.repeat(64);
const ECHO = `local server = require "resty.websocket.server"
local wb = server:new{ timeout = 60000, max_payload_len = 65535 }
while true do
  local data, typ, err = wb:recv_frame()
  if not data then return ngx.exit(444) end
  if typ == "text" then wb:send_text(data)
  elseif typ == "close" then wb:send_close(err or 1000, data) return end
end`;
const TS_ECHO = `import { WebSocketServer } from 'ws';
const wss = new WebSocketServer({ port: Number(process.env.PORT) });
wss.on('connection', (socket) => {
  socket.on('error', () => {});
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
});
`;

async function roundTrips(url: string, ms: number): Promise<number> {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let count = 0;
  const end = performance.now() + ms;
  await new Promise<void>((resolve) => {
    ws.on('message', () => {
      count += 1;
      if (performance.now() >= end) resolve();
      else ws.send(PAYLOAD);
    });
    ws.send(PAYLOAD);
  });
  ws.terminate();
  return count / (ms / 1000);
}

export async function run(): Promise<BenchResult[]> {
  const server = await startServer({ port: 0, logLevel: 'silent', siteDir: '/nonexistent/', rateLimit: { perSecond: 1e9, burst: 1e9, abuse: 1e9 } });
  const base = `http://127.0.0.1:${server.port}`;
  const start = async (language: 'lua' | 'ts' = 'lua'): Promise<{ id: string; url: string; ms: number }> => {
    const t0 = performance.now();
    const res = await fetch(`${base}${LAB_PATHS.api}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language, code: language === 'ts' ? TS_ECHO : ECHO }),
    });
    const ms = performance.now() - t0;
    if (res.status !== 201) throw new Error(`POST ${LAB_PATHS.api}: ${res.status} ${await res.text()}`);
    return { ...((await res.json()) as { id: string; url: string }), ms };
  };
  const stop = (id: string): Promise<Response> => fetch(`${base}${LAB_PATHS.api}/${id}`, { method: 'DELETE' });

  const cold = await start();
  await stop(cold.id);
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) {
    const lab = await start();
    warm.push(lab.ms);
    await stop(lab.id);
  }
  warm.sort((a, b) => a - b);
  const warmMedian = warm[Math.floor(warm.length / 2)] ?? 0;

  const lab = await start();
  // Let the engine's next spare worker finish booting: it would compete for the CPU.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const labRate = await roundTrips(lab.url, ECHO_MS);
  const echoRate = await roundTrips(`ws://127.0.0.1:${server.port}/echo`, ECHO_MS);
  await stop(lab.id);

  // Memory: what each idle lab's Lua VM holds, and the process's RSS growth per lab.
  globalThis.gc?.();
  const rss0 = process.memoryUsage().rss;
  const idle: string[] = [];
  for (let i = 0; i < 4; i++) idle.push((await start()).id);
  globalThis.gc?.();
  const rssPerLab = (process.memoryUsage().rss - rss0) / idle.length;
  for (const id of idle) await stop(id);

  // TypeScript: a child process per lab; warm means its spare child has booted (a learner does not Run twice a second).
  const tsCold = await start('ts');
  await stop(tsCold.id);
  const tsWarm: number[] = [];
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const tsLab = await start('ts');
    tsWarm.push(tsLab.ms);
    await stop(tsLab.id);
  }
  tsWarm.sort((a, b) => a - b);
  const tsWarmMedian = tsWarm[Math.floor(tsWarm.length / 2)] ?? 0;
  const tsLab = await start('ts');
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const tsRate = await roundTrips(tsLab.url, ECHO_MS);
  const tsEchoRate = await roundTrips(`ws://127.0.0.1:${server.port}/echo`, ECHO_MS);
  await stop(tsLab.id);
  await server.close();

  // The same on real nginx, when its packages are installed.
  const openresty: BenchResult[] = [];
  if (openRestyMissing().length === 0) {
    const nginx = await startServer({ port: 0, logLevel: 'silent', siteDir: '/nonexistent/', luaEngine: 'openresty' });
    const nbase = `http://127.0.0.1:${nginx.port}`;
    const times: number[] = [];
    let last: { id: string; url: string } | null = null;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const res = await fetch(`${nbase}${LAB_PATHS.api}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language: 'lua', code: ECHO }) });
      times.push(performance.now() - t0);
      const lab = (await res.json()) as { id: string; url: string };
      if (last) await fetch(`${nbase}${LAB_PATHS.api}/${last.id}`, { method: 'DELETE' });
      last = lab;
    }
    times.sort((a, b) => a - b);
    const nginxRate = last ? await roundTrips(last.url, ECHO_MS) : 0;
    if (last) await fetch(`${nbase}${LAB_PATHS.api}/${last.id}`, { method: 'DELETE' });
    await nginx.close();
    // Memory: nginx's master and worker per idle lab server (their RSS, shared pages counted in each).
    const engine = openRestyEngine();
    const servers = [];
    for (let i = 0; i < 3; i++) {
      const started = await engine.start(ECHO, { sharedDicts: [] });
      if (started.ok) servers.push(started.server);
    }
    const sizes = (await Promise.all(servers.map((s) => s.memory()))).filter((n): n is number => n !== null);
    for (const s of servers) await s.stop();
    if (sizes.length > 0) {
      openresty.push({ name: 'memory per idle OpenResty lab server (nginx master + worker RSS)', value: Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length / 1024), unit: 'KiB' });
    }
    openresty.push(
      { name: 'Run → lab listening, OpenResty (median of 3)', value: Math.round(times[1] ?? 0), unit: 'ms' },
      { name: 'echo round trips/s, 1 client: OpenResty lab (proxied) vs the companion /echo', value: Math.round(nginxRate), baseline: Math.round(echoRate), unit: 'rt/s' },
    );
  }

  return [
    { name: 'Run → lab listening, embedded Lua, cold (first lab)', value: Math.round(cold.ms), unit: 'ms' },
    { name: 'Run → lab listening, embedded Lua, warm (median of 5)', value: Math.round(warmMedian), unit: 'ms', target: '≤ 300 ms', ok: warmMedian <= 300 },
    { name: 'echo round trips/s, 1 client: embedded Lua lab vs the companion /echo', value: Math.round(labRate), baseline: Math.round(echoRate), unit: 'rt/s' },
    { name: 'memory per idle embedded lab server (process RSS growth)', value: Math.round(rssPerLab / 1024), unit: 'KiB' },
    { name: 'Run → lab listening, TypeScript, cold (first lab)', value: Math.round(tsCold.ms), unit: 'ms' },
    { name: 'Run → lab listening, TypeScript, warm (median of 5)', value: Math.round(tsWarmMedian), unit: 'ms', target: '≤ 1000 ms', ok: tsWarmMedian <= 1000 },
    { name: 'echo round trips/s, 1 client: TypeScript lab (proxied) vs the companion /echo', value: Math.round(tsRate), baseline: Math.round(tsEchoRate), unit: 'rt/s' },
    ...openresty,
  ];
}

await runIfMain(import.meta, 'labs', run);
