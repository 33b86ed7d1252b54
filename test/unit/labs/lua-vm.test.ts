import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../protocol/frame.ts';
import { OPCODE } from '../../../protocol/constants.ts';
import { createLuaVm, type LuaVm } from '../../../server/labs/lua/vm.ts';
import { courseModules } from '../../../server/labs/lua/modules.ts';
import { HANDSHAKE } from './handshake.ts';

/**
 * The embedded engine's API shims against fixtures: one VM, a fake clock and
 * a sink that records what the runtime asks the host to do.
 */
interface Effects {
  logs: { level: string; text: string; line: number | null }[];
  sent: Buffer[];
  accepted: string[];
  finished: [string, number][];
}

async function vmWith(code: string, options: { budget?: number; dicts?: string[] } = {}): Promise<{ vm: LuaVm; fx: Effects; clock: { t: number } }> {
  const fx: Effects = { logs: [], sent: [], accepted: [], finished: [] };
  const clock = { t: 1_000_000 };
  const vm = await createLuaVm(
    {
      budget: options.budget ?? 5_000_000,
      memoryMax: 32 * 1024 * 1024,
      modules: courseModules(),
      sharedDicts: options.dicts ?? [],
      now: () => clock.t,
      pid: 4242,
    },
    {
      log: (level, text, line) => fx.logs.push({ level, text, line }),
      send: (_conn, bytes) => fx.sent.push(bytes),
      accept: (conn) => fx.accepted.push(conn),
      finish: (conn, status) => fx.finished.push([conn, status]),
    },
  );
  const compiled = vm.compile(code);
  if (!compiled.ok) throw new Error(`fixture does not compile: ${compiled.message}`);
  return { vm, fx, clock };
}

function open(vm: LuaVm, conn = 'c1', target = '/labs/x', extra: [string, string][] = []): void {
  const url = new URL(target, 'http://h');
  vm.request(conn, { method: 'GET', uri: url.pathname, query: url.search.slice(1), headers: [...HANDSHAKE, ...extra], args: [...url.searchParams.entries()] });
}

const masked = (opcode: number, payload: string | Uint8Array, fin = true): Uint8Array =>
  encodeFrame({ opcode, fin, payload: typeof payload === 'string' ? new TextEncoder().encode(payload) : payload, maskingKey: new Uint8Array([1, 2, 3, 4]) });

const texts = (fx: Effects): string[] => fx.logs.map((l) => l.text);

describe('compile', () => {
  it('reports a syntax error with its line and Lua message', async () => {
    const { vm } = await vmWith('return');
    expect(vm.compile('local a = 1\nlocal b = = 2\n')).toEqual({ ok: false, line: 2, message: "unexpected symbol near '='" });
    expect(vm.compile('ngx.log(ngx.INFO, "fine")')).toEqual({ ok: true });
  });
});

describe('cjson', () => {
  it('encodes as lua-cjson does: \\/ escaped, {} for an empty table, arrays for sequences, integers without .0', async () => {
    const { vm, fx } = await vmWith(`
      local cjson = require "cjson"
      ngx.log(ngx.INFO, cjson.encode({ path = "a/b" }))
      ngx.log(ngx.INFO, cjson.encode({}))
      ngx.log(ngx.INFO, cjson.encode({ 1, 2, "x", cjson.null }))
      ngx.log(ngx.INFO, cjson.encode({ n = 5.0, f = 0.1, t = true }))
      ngx.log(ngx.INFO, cjson.encode("tab\\tquote\\"nl\\n"))
      ngx.log(ngx.INFO, tostring(cjson.decode('{"a":[1,2,{"b":null}]}').a[3].b == cjson.null))
      ngx.log(ngx.INFO, cjson.decode('"\\\\u00e9\\\\/"'))
      local safe = require "cjson.safe"
      ngx.log(ngx.INFO, tostring(safe.decode("{bad")), " | ", select(2, safe.decode("{bad")))
      ngx.log(ngx.INFO, select(2, safe.encode({ f = print })))
      ngx.log(ngx.INFO, tostring(pcall(cjson.decode, "nope")), " ", select(2, pcall(cjson.decode, "nope")))
    `);
    open(vm);
    expect(texts(fx)).toEqual([
      '{"path":"a\\/b"}',
      '{}',
      '[1,2,"x",null]',
      expect.stringMatching(/^\{(("n":5|"f":0.1|"t":true),?){3}\}$/),
      '"tab\\tquote\\"nl\\n"',
      'true',
      'é/',
      'nil | Expected object key string but found invalid token at character 2',
      'Cannot serialise function: type not supported',
      'false Expected value but found invalid token at character 1',
    ]);
  });
});

describe('the sandbox', () => {
  it('has no files, processes or loaders, and keeps the LuaJIT-isms the course uses', async () => {
    const { vm, fx } = await vmWith(`
      ngx.log(ngx.INFO, type(io.open), " ", type(os.execute), " ", type(os.exit), " ", type(load), " ", type(loadstring), " ", type(dofile), " ", type(loadfile))
      ngx.log(ngx.INFO, unpack({ 1, 2, 3 }), " ", table.getn({ 1, 2 }), " ", math.pow(2, 10))
      ngx.log(ngx.INFO, select(2, pcall(require, "socket")))
      ngx.log(ngx.INFO, type(require("message_reader").reader), " ", type(require("socket_writer").outbox))
      local bit = require "bit"
      ngx.log(ngx.INFO, bit.band(0x1F1, 0xFF), " ", bit.bor(0x80, 1), " ", bit.lshift(1, 31), " ", bit.rshift(-1, 28), " ", bit.bxor(5, 3), " ", bit.tohex(255, 4))
    `);
    open(vm);
    expect(texts(fx)[0]).toBe('nil nil nil nil nil nil nil');
    expect(texts(fx)[1]).toBe('1 2 1024.0');
    expect(texts(fx)[2]).toMatch(/^module 'socket' not found: the embedded engine offers/);
    expect(texts(fx)[3]).toBe('function function');
    // LuaJIT's values: 32-bit signed results
    expect(texts(fx)[4]).toBe('241 129 -2147483648 15 6 00ff');
  });

  it('gives each request its own globals and shares modules', async () => {
    const { vm, fx } = await vmWith(`
      counter = (counter or 0) + 1
      local hub = require "broadcast_hub"
      hub.seen = (hub.seen or 0) + 1
      ngx.log(ngx.INFO, counter, " ", hub.seen)
    `);
    open(vm, 'c1');
    open(vm, 'c2');
    expect(texts(fx)).toEqual(['1 1', '1 2']);
  });
});

describe('ngx', () => {
  it('reads the request: ngx.var.arg_*, http_* and uri; headers by any spelling; levels by nginx number', async () => {
    const { vm, fx } = await vmWith(`
      local h = ngx.req.get_headers()
      ngx.log(ngx.WARN, ngx.var.uri, " ", ngx.var.arg_name, " ", ngx.var.http_x_custom, " ", h["X-Custom"], " ", h.x_custom, " ", tostring(ngx.var.arg_missing))
      ngx.log(ngx.ERR, ngx.ERR, ngx.WARN, ngx.INFO, " ", ngx.HTTP_FORBIDDEN, " ", ngx.OK, " ", ngx.worker.id(), " ", ngx.worker.pid())
    `);
    open(vm, 'c1', '/labs/x/room/7?name=ada%20l', [['X-Custom', 'Yes']]);
    expect(fx.logs).toEqual([
      { level: 'warn', text: '/labs/x/room/7 ada l Yes Yes Yes nil', line: 3 },
      { level: 'error', text: '457 403 0 0 4242', line: 4 },
    ]);
  });

  it('ngx.exit before server:new answers with that status and never upgrades', async () => {
    const { vm, fx } = await vmWith('if ngx.var.http_origin ~= "http://ok.test" then return ngx.exit(ngx.HTTP_FORBIDDEN) end\nrequire("resty.websocket.server"):new()');
    open(vm, 'bad', '/labs/x', [['Origin', 'http://evil.test']]);
    open(vm, 'good', '/labs/x', [['Origin', 'http://ok.test']]);
    expect(fx.finished).toEqual([['bad', 403], ['good', 0]]);
    expect(fx.accepted).toEqual(['good']);
  });

  it('ngx.sleep, ngx.now and light threads follow the clock', async () => {
    const { vm, fx, clock } = await vmWith(`
      local t = ngx.thread.spawn(function(a) ngx.sleep(0.5) ngx.log(ngx.INFO, "thread woke at ", ngx.now()) return a * 2 end, 21)
      ngx.log(ngx.INFO, "spawned at ", ngx.now())
      local ok, v = ngx.thread.wait(t)
      ngx.log(ngx.INFO, "waited: ", tostring(ok), " ", v)
    `);
    open(vm);
    expect(texts(fx)).toEqual(['spawned at 1000.0']);
    expect(vm.deadline).toBe(1_000_500);
    clock.t = 1_000_500;
    vm.tick();
    expect(texts(fx)).toEqual(['spawned at 1000.0', 'thread woke at 1000.5', 'waited: true 42']);
    expect(vm.deadline).toBeNull();
  });

  it('semaphores wake a waiter across requests, and time out', async () => {
    const { vm, fx, clock } = await vmWith(`
      local semaphore = require "ngx.semaphore"
      local shared = require "broadcast_hub"
      shared.sema = shared.sema or semaphore.new(0)
      if ngx.var.arg_role == "waiter" then
        local ok, err = shared.sema:wait(1)
        ngx.log(ngx.INFO, "first wait: ", tostring(ok), " ", tostring(err))
        ok, err = shared.sema:wait(1)
        ngx.log(ngx.INFO, "second wait: ", tostring(ok), " ", tostring(err))
      else
        shared.sema:post(1)
      end
    `);
    open(vm, 'w', '/labs/x?role=waiter');
    open(vm, 'p', '/labs/x?role=poster');
    expect(texts(fx)).toEqual(['first wait: true nil']);
    clock.t += 1000;
    vm.tick();
    expect(texts(fx)).toEqual(['first wait: true nil', 'second wait: nil timeout']);
  });

  it('shared dicts declared by the lab are one per server', async () => {
    const { vm, fx } = await vmWith('ngx.log(ngx.INFO, ngx.shared.online:incr("n", 1, 0), " ", tostring(ngx.shared.other))', { dicts: ['online'] });
    open(vm, 'a');
    open(vm, 'b');
    expect(texts(fx)).toEqual(['1 nil', '2 nil']);
  });
});

describe('resty.websocket.server', () => {
  const ECHO = `
    local wb = require("resty.websocket.server"):new{ timeout = 1000, max_payload_len = 10 }
    while true do
      local data, typ, err = wb:recv_frame()
      ngx.log(ngx.INFO, tostring(data), "|", tostring(typ), "|", tostring(err))
      if not data and not err:find(": timeout", 1, true) then return ngx.exit(444) end
      if typ == "close" then wb:send_close(err, data) return end
    end`;

  it('returns data, typ, err exactly as lua-resty-websocket: text, again/continuation, ping, close with its code', async () => {
    const { vm, fx } = await vmWith(ECHO);
    open(vm);
    vm.data('c1', masked(OPCODE.text, 'hé'));
    vm.data('c1', masked(OPCODE.binary, 'ab', false));
    vm.data('c1', masked(OPCODE.continuation, 'cd'));
    vm.data('c1', masked(OPCODE.ping, 'p'));
    vm.data('c1', masked(OPCODE.close, new Uint8Array([0x03, 0xe8, 0x62, 0x79, 0x65])));
    expect(texts(fx)).toEqual(['hé|text|nil', 'ab|binary|again', 'cd|continuation|nil', 'p|ping|nil', 'bye|close|1000']);
    expect(fx.sent.map((b) => b.toString('hex'))).toEqual(['8805' + '03e8627965']);
    expect(fx.finished).toEqual([['c1', 0]]);
  });

  it('reports a timeout, an oversized frame and an unmasked frame with the library strings', async () => {
    const { vm, fx, clock } = await vmWith(ECHO);
    open(vm);
    clock.t += 1000;
    vm.tick();
    vm.data('c1', masked(OPCODE.text, 'more than ten bytes'));
    // nginx logs each cosocket read timeout at [error] before the handler sees it (lua_socket_log_errors).
    expect(fx.logs[0]).toEqual({ level: 'error', text: 'lua tcp socket read timed out', line: null });
    expect(texts(fx).slice(1)).toEqual(['nil|nil|failed to receive the first 2 bytes: timeout', 'nil|nil|exceeding max payload len']);
    const second = await vmWith(ECHO);
    open(second.vm);
    second.vm.data('c1', encodeFrame({ opcode: OPCODE.text, payload: new TextEncoder().encode('x') }));
    expect(texts(second.fx)).toEqual(['nil|nil|frame unmasked']);
  });

  it('ngx.log inside a named function starts with "name(): ", as lua-nginx-module writes it', async () => {
    const { vm, fx } = await vmWith(`
local function greet() ngx.log(ngx.WARN, "from greet") end
local t = { shout = function() ngx.log(ngx.ERR, "from shout") end }
greet()
t.shout()
ngx.log(ngx.INFO, "from the chunk")
ngx.thread.spawn(function() ngx.log(ngx.INFO, "from a thread's entry") end)
`);
    open(vm);
    expect(fx.logs.map((l) => `${l.level} ${l.text}`)).toEqual([
      'warn greet(): from greet',
      'error shout(): from shout',
      'info from the chunk',
      "info from a thread's entry",
    ]);
  });

  it('the cosocket rule: another request using this socket raises "bad request"', async () => {
    const { vm, fx } = await vmWith(`
      local hub = require "naive_hub"
      local wb = require("resty.websocket.server"):new{ timeout = 5000 }
      hub.clients[ngx.var.arg_me] = wb
      local data = wb:recv_frame()
      local ok, err = pcall(function() return hub.clients[data]:send_text("hi") end)
      ngx.log(ngx.INFO, tostring(ok), " ", tostring(err))
      ngx.log(ngx.INFO, tostring(hub.clients[ngx.var.arg_me]:send_text("mine")))
    `);
    open(vm, 'a', '/labs/x?me=a');
    open(vm, 'b', '/labs/x?me=b');
    vm.data('a', masked(OPCODE.text, 'b'));
    expect(texts(fx)).toEqual(['false bad request', '6']);
  });
});

describe('limits', () => {
  it('an endless loop is stopped by the instruction budget, naming its line; pcall cannot keep it alive', async () => {
    const { vm, fx } = await vmWith('local n = 0\nwhile true do\n  pcall(function() while true do n = n + 1 end end)\nend');
    open(vm);
    expect(fx.logs).toHaveLength(1);
    expect(fx.logs[0]?.level).toBe('error');
    expect(fx.logs[0]?.text).toMatch(/^lua entry thread aborted: runtime error: stopped: the code ran 5 million instructions without waiting \(an endless loop\?\) at line [23]$/);
    expect(fx.finished).toEqual([['c1', 500]]);
  });

  it('a memory bomb stops with "not enough memory" and the VM serves the next request', async () => {
    const { vm, fx } = await vmWith('if ngx.var.arg_bomb then local t = {} for i = 1, 1e9 do t[i] = string.rep("x", 1024 * 1024) .. i end end\nngx.log(ngx.INFO, "served")', { budget: 1e9 });
    open(vm, 'bomb', '/labs/x?bomb=1');
    expect(fx.logs[0]?.text).toMatch(/not enough memory/);
    open(vm, 'next', '/labs/x');
    expect(texts(fx).at(-1)).toBe('served');
    expect(vm.memoryUsed()).toBeLessThan(8 * 1024 * 1024);
  });
});
