import { describe, expect, it } from 'vitest';
import { courseModules } from '../../../server/labs/lua/modules.ts';
import { createLuaVm, type LuaVm } from '../../../server/labs/lua/vm.ts';
import { HANDSHAKE } from './handshake.ts';

/**
 * The embedded engine's send waits while its client has not taken what was
 * sent (the host says the buffer is full), as nginx's send waits on a full
 * socket buffer: it goes on once the client reads, fails with "timeout" after
 * the socket's send timeout (nginx's log line with it), "closed" when the
 * client goes, and a second sender meanwhile is told the socket is busy.
 */

const SENDER = `
local server = require "resty.websocket.server"
local wb = server:new{ timeout = 1000 }
if ngx.var.arg_second then
  ngx.thread.spawn(function()
    ngx.sleep(0.1)
    local bytes, err = wb:send_text("second")
    ngx.log(ngx.INFO, "second: ", tostring(bytes), " ", tostring(err))
  end)
end
for i = 1, 3 do
  local bytes, err = wb:send_text("frame " .. i)
  ngx.log(ngx.INFO, "sent ", i, ": ", tostring(bytes), " ", tostring(err))
  if not bytes then return end
end
`;

async function sender(query = ''): Promise<{ vm: LuaVm; logs: string[]; sent: string[]; finished: number[]; clock: { t: number }; buffer: { full: boolean } }> {
  const logs: string[] = [];
  const sent: string[] = [];
  const finished: number[] = [];
  const clock = { t: 1_000_000 };
  const buffer = { full: true };
  const vm = await createLuaVm(
    { budget: 5_000_000, memoryMax: 32 * 1024 * 1024, modules: courseModules(), sharedDicts: [], now: () => clock.t, pid: 1 },
    {
      log: (_level, text) => logs.push(text),
      send: (_conn, bytes) => sent.push(bytes.subarray(2).toString()),
      full: () => buffer.full,
      accept: () => {},
      finish: (_conn, status) => finished.push(status),
    },
  );
  const compiled = vm.compile(SENDER);
  if (!compiled.ok) throw new Error(compiled.message);
  vm.request('c1', { method: 'GET', uri: '/labs/x', query, headers: HANDSHAKE, args: query ? [['second', '1']] : [] });
  return { vm, logs, sent, finished, clock, buffer };
}

describe("the embedded engine's send, with a client that does not read", () => {
  it('waits while the buffer is full and goes on once the client has read', async () => {
    const { vm, logs, sent, finished, buffer } = await sender();
    // The frame is handed over, and the handler waits.
    expect(sent).toEqual(['frame 1']);
    expect(logs).toEqual([]);
    vm.writable('c1');
    expect(logs).toEqual(['sent 1: 9 nil']);
    expect(sent).toEqual(['frame 1', 'frame 2']);
    buffer.full = false;
    vm.writable('c1');
    expect(logs).toEqual(['sent 1: 9 nil', 'sent 2: 9 nil', 'sent 3: 9 nil']);
    expect(sent).toEqual(['frame 1', 'frame 2', 'frame 3']);
    expect(finished).toEqual([0]);
  });

  it("fails with nginx's timeout after the socket's timeout, and logs it as nginx does", async () => {
    const { vm, logs, clock } = await sender();
    clock.t += 999;
    vm.tick();
    expect(logs).toEqual([]);
    clock.t += 1;
    vm.tick();
    expect(logs).toEqual(['lua tcp socket write timed out', 'sent 1: nil failed to send frame: timeout']);
  });

  it('fails with "closed" when the client goes while it waits', async () => {
    const { vm, logs } = await sender();
    vm.eof('c1');
    expect(logs).toEqual(['sent 1: nil failed to send frame: closed']);
  });

  it('tells a second sender on the same socket that it is busy writing', async () => {
    const { vm, logs, clock } = await sender('second=1');
    clock.t += 100;
    vm.tick();
    expect(logs).toEqual(['second: nil failed to send frame: socket busy writing']);
  });
});
