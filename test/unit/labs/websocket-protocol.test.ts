import { describe, expect, it } from 'vitest';
import { createLuaVm } from '../../../server/labs/lua/vm.ts';
import { courseModules } from '../../../server/labs/lua/modules.ts';
import { HANDSHAKE } from './handshake.ts';

/**
 * Pins the embedded resty.websocket.protocol / resty.websocket.server against
 * lua-resty-websocket's interface: every return value and every error string
 * a lesson or lab can meet. The Lua fixtures drive the modules through a fake
 * cosocket (a byte string to read from, a string to write to), so each case
 * is one call and one exact expectation. The strings were checked against
 * Debian's lua-resty-websocket (nginx/websocket/protocol.lua and server.lua).
 */

// Helpers every fixture gets: a fake socket and a printer that shows each
// return value (strings in hex when not printable) so results compare exactly.
const PRELUDE = String.raw`
local protocol = require "resty.websocket.protocol"
local server = require "resty.websocket.server"
local function fake(input, send_err)
  local pos = 1
  return {
    out = "",
    receive = function(self, n)
      if pos + n - 1 > #input then
        local rest = input:sub(pos)
        pos = #input + 1
        return nil, "closed", rest
      end
      local s = input:sub(pos, pos + n - 1)
      pos = pos + n
      return s
    end,
    send = function(self, s)
      if send_err then return nil, send_err end
      self.out = self.out .. s
      return #s
    end,
    settimeout = function(self, ms) self.timeout = ms end,
  }
end
local function show(v)
  if type(v) ~= "string" then return tostring(v) end
  if v:find("[^%w%s%p]") then return "0x" .. v:gsub(".", function(c) return string.format("%02x", c:byte()) end) end
  return v
end
local function say(...)
  local n = select("#", ...)
  local parts = {}
  for i = 1, n do parts[i] = show((select(i, ...))) end
  ngx.log(ngx.INFO, n .. ":" .. table.concat(parts, "|"))
end
local function hex(s) return (s:gsub("..", function(h) return string.char(tonumber(h, 16)) end)) end
`;

// ngx.log from inside say() starts with "say(): ", as lua-nginx-module writes it (lua-vm.test.ts pins that).
async function run(code: string, headers: [string, string][] = HANDSHAKE): Promise<string[]> {
  const logs: string[] = [];
  const vm = await createLuaVm(
    { budget: 50_000_000, memoryMax: 64 * 1024 * 1024, modules: courseModules(), sharedDicts: [], now: () => 1_000_000, pid: 1 },
    { log: (_level, text) => logs.push(text.replace(/^say\(\): /, '')), send: () => undefined, accept: () => undefined, finish: () => undefined },
  );
  const compiled = vm.compile(PRELUDE + code);
  if (!compiled.ok) throw new Error(`fixture does not compile: ${compiled.message}`);
  vm.request('c1', { method: 'GET', uri: '/labs/x', query: '', headers, args: [] });
  return logs;
}

describe('resty.websocket.protocol.recv_frame', () => {
  it('returns every error string of lua-resty-websocket, byte for byte', async () => {
    const logs = await run(String.raw`
      local function recv(h, max, force) say(protocol.recv_frame(fake(hex(h)), max or 200, force ~= false)) end
      recv("")                       -- nothing at all
      recv("81")                     -- half a header
      recv("c180")                   -- RSV1
      recv("a180")                   -- RSV2
      recv("9180")                   -- RSV3
      recv("8380")                   -- opcode 3
      recv("8780")                   -- opcode 7
      recv("8b80")                   -- opcode 0xb
      recv("8f80")                   -- opcode 0xf
      recv("8100")                   -- unmasked, masking forced
      recv("81fe00")                 -- 16-bit length cut short
      recv("81ff000000")             -- 64-bit length cut short
      recv("81ff0000000100000000")   -- high 32 bits set
      recv("81ff0000000080000000")   -- bit 31 set
      recv("89fe007e")               -- ping with a 126-byte payload
      recv("0980")                   -- ping without FIN
      recv("88fe0080")               -- too long beats the FIN check: close, 128 bytes
      recv("81fe00c9")               -- 201 > max 200
      recv("81850102")               -- masked, key cut short
      recv("8185010203046e")         -- masked, payload cut short
      recv("0000", 200, false)       -- unmasked allowed when not forced; a middle fragment
      recv("888101020304" .. "01")   -- close with a 1-byte body
    `);
    expect(logs).toEqual([
      '3:nil|nil|failed to receive the first 2 bytes: closed',
      '3:nil|nil|failed to receive the first 2 bytes: closed',
      '3:nil|nil|bad RSV1, RSV2, or RSV3 bits',
      '3:nil|nil|bad RSV1, RSV2, or RSV3 bits',
      '3:nil|nil|bad RSV1, RSV2, or RSV3 bits',
      '3:nil|nil|reserved non-control frames',
      '3:nil|nil|reserved non-control frames',
      '3:nil|nil|reserved control frames',
      '3:nil|nil|reserved control frames',
      '3:nil|nil|frame unmasked',
      '3:nil|nil|failed to receive the 2 byte payload length: closed',
      '3:nil|nil|failed to receive the 8 byte payload length: closed',
      '3:nil|nil|payload len too large',
      '3:nil|nil|payload len too large',
      '3:nil|nil|too long payload for control frame',
      '3:nil|nil|fragmented control frame',
      '3:nil|nil|too long payload for control frame',
      '3:nil|nil|exceeding max payload len',
      '3:nil|nil|failed to read masking-len and payload: closed',
      '3:nil|nil|failed to read masking-len and payload: closed',
      '3:|continuation|again',
      '3:nil|nil|close frame with a body must carry a 2-byte status code',
    ]);
  });

  it('decodes data, types, "again" for fragments, close codes and all three length forms', async () => {
    const logs = await run(String.raw`
      local function masked(first, payload, lenbytes)
        local key = hex("37fa213d")
        local body = {}
        for i = 1, #payload do
          body[i] = string.char(payload:byte(i) ~ key:byte((i - 1) % 4 + 1))
        end
        return string.char(first) .. lenbytes .. key .. table.concat(body)
      end
      local function recv(frame, max, force) say(protocol.recv_frame(fake(frame), max or 100000, force ~= false)) end
      recv(masked(0x81, "Hello", string.char(0x85)))
      recv(masked(0x02, "ab", string.char(0x82)))
      recv(masked(0x80, "cd", string.char(0x82)))
      recv(masked(0x89, "", string.char(0x80)))
      recv(masked(0x8a, "pong", string.char(0x84)))
      recv(masked(0x88, "", string.char(0x80)))
      recv(masked(0x88, hex("03e8"), string.char(0x82)))
      recv(masked(0x88, hex("0fa0") .. "bye", string.char(0x85)))
      recv(hex("8800"), 200, false)
      local mid = string.rep("0123456789", 13)
      local a, typ, err = protocol.recv_frame(fake(masked(0x82, mid, string.char(0xfe, 0x00, 0x82))), 200, true)
      say(a == mid, #a, typ, err)
      local big = string.rep("abcdefg", 10000)
      a, typ, err = protocol.recv_frame(fake(masked(0x81, big, hex("ff0000000000011170"))), 100000, true)
      say(a == big, #a, typ, err)
      say(protocol.recv_frame(fake(masked(0x81, "0123456789", string.char(0x8a))), 10, true))
    `);
    expect(logs).toEqual([
      '3:Hello|text|nil',
      '3:ab|binary|again',
      '3:cd|continuation|nil',
      '3:|ping|nil',
      '3:pong|pong|nil',
      '3:|close|nil',
      '3:|close|1000',
      '3:bye|close|4000',
      '3:|close|nil',
      '4:true|130|binary|nil',
      '4:true|70000|text|nil',
      '3:0123456789|text|nil',
    ]);
  });
});

describe('resty.websocket.protocol.send_frame', () => {
  it('writes the three length forms, masks when asked, and returns the bytes sent (the whole frame)', async () => {
    const logs = await run(String.raw`
      local s = fake("")
      say(protocol.send_frame(s, true, 0x1, "hi", 200, false), s.out)
      s = fake("")
      say(protocol.send_frame(s, false, 0x2, nil, 200, false), s.out)
      s = fake("")
      say(protocol.send_frame(s, true, 0x1, 42, 200, false), s.out)
      s = fake("")
      say(protocol.send_frame(s, true, 0x2, string.rep("x", 126), 200, false), s.out:sub(1, 4))
      s = fake("")
      say(protocol.send_frame(s, true, 0x2, string.rep("x", 65536), 70000, false), s.out:sub(1, 10))
      -- a masked frame: mask bit set, 4 key bytes, and it reads back as the same text
      s = fake("")
      local text = string.rep("mask me ", 700)
      say(protocol.send_frame(s, true, 0x1, text, 10000, true), s.out:sub(1, 2), #s.out)
      local back, typ = protocol.recv_frame(fake(s.out), 10000, true)
      say(back == text, typ)
      say(protocol.build_frame(true, 0x1, 0x80000000, "", false))
      say(protocol.build_frame(true, 0x9, 3, "abc", false))
    `);
    expect(logs).toEqual([
      '2:4|0x81026869',
      '2:2|0x0200',
      '2:4|0x81023432',
      '2:130|0x827e007e',
      '2:65546|0x827f0000000000010000',
      '3:5608|0x81fe|5608',
      '2:true|text',
      '2:nil|payload too big',
      '1:0x8903616263',
    ]);
  });

  it('returns every send error string of lua-resty-websocket', async () => {
    const logs = await run(String.raw`
      say(protocol.send_frame(fake(""), true, 0x1, "eleven byte", 10, false))
      say(protocol.send_frame(fake(""), true, 0x9, string.rep("p", 126), 200, false))
      say(protocol.send_frame(fake(""), false, 0x9, "p", 200, false))
      say(protocol.send_frame(fake(""), true, 0xa, string.rep("p", 125), 200, false))
      say(protocol.send_frame(fake("", "closed"), true, 0x1, "x", 200, false))
    `);
    expect(logs).toEqual([
      '2:nil|payload too big',
      '2:nil|too much payload for control frame',
      '2:nil|fragmented control frame',
      '1:127',
      '2:nil|failed to send frame: closed',
    ]);
  });
});

describe('resty.websocket.server objects', () => {
  it('keeps its state rules: timeouts are not fatal, other errors are, and a fatal object refuses to send', async () => {
    const logs = await run(String.raw`
      local function wb(input, send_err, max)
        return setmetatable({ sock = fake(input, send_err), max_payload_len = max or 65535 }, { __index = server })
      end
      say(server._VERSION)
      local w = wb("")
      w.sock.receive = function() return nil, "timeout", "" end
      say(w:recv_frame())
      say(w:recv_frame())
      say(w:send_text("still fine"))
      w = wb(hex("8100"))
      say(w:recv_frame())
      say(w:recv_frame())
      say(w:send_text("x"))
      say(w:send_ping())
      w = wb("", "broken pipe")
      say(w:send_binary("x"))
      say(w:send_text("x"))
      w = wb("", nil, 3)
      say(w:send_text("four"))
      say(w:send_text("ok"))
      local bare = setmetatable({}, { __index = server })
      say(bare:recv_frame())
      say(bare:send_text("x"))
      say(bare:set_timeout(10))
      w = wb("")
      -- set_timeout hands back whatever the socket's settimeout returns (nothing here)
      say(w:set_timeout(1234), w.sock.timeout)
    `);
    expect(logs).toEqual([
      '1:0.08',
      '3:nil|nil|failed to receive the first 2 bytes: timeout',
      '3:nil|nil|failed to receive the first 2 bytes: timeout',
      '2:12|nil',
      '3:nil|nil|frame unmasked',
      '3:nil|nil|fatal error already happened',
      '2:nil|fatal error already happened',
      '2:nil|fatal error already happened',
      '2:nil|failed to send frame: broken pipe',
      '2:nil|fatal error already happened',
      '2:nil|payload too big',
      '2:nil|fatal error already happened',
      '3:nil|nil|not initialized yet',
      '2:nil|not initialized yet',
      '3:nil|nil|not initialized yet',
      '2:nil|1234',
    ]);
  });

  it('sends each frame type with its opcode, and close with code and reason', async () => {
    const logs = await run(String.raw`
      local w = setmetatable({ sock = fake(""), max_payload_len = 65535 }, { __index = server })
      local function sent(...) say(...) say(w.sock.out) w.sock.out = "" end
      sent(w:send_text("t"))
      sent(w:send_binary("b"))
      sent(w:send_ping("i"))
      sent(w:send_pong("o"))
      sent(w:send_close())
      sent(w:send_close(1000, "bye"))
      sent(w:send_close(4000))
      sent(w:send_close("1000"))
      sent(w:send_close(0x8000))
      sent(w:send_frame(false, 0x1, "part"))
      sent(w:send_text("not fatal after a bad status code"))
    `);
    expect(logs).toEqual([
      '2:3|nil', '1:0x810174',
      '2:3|nil', '1:0x820162',
      '2:3|nil', '1:0x890169',
      '2:3|nil', '1:0x8a016f',
      '2:2|nil', '1:0x8800',
      '2:7|nil', '1:0x880503e8627965',
      '2:4|nil', '1:0x88020fa0',
      '2:nil|bad status code', '1:',
      '2:nil|bad status code', '1:',
      '2:6|nil', '1:0x010470617274',
      '2:35|nil', '1:0x8121' + Buffer.from('not fatal after a bad status code').toString('hex'),
    ]);
  });
});
