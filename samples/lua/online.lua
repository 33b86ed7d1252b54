-- How many clients are online? Two answers side by side: a module-level
-- counter (one per nginx worker) and a lua_shared_dict counter (one for the
-- whole nginx). Needs `lua_shared_dict online 1m;` in the http block.
local server = require "resty.websocket.server"
local messages = require "message_reader"
local counts = require "online_counts"
local shared = ngx.shared.online

local wb, err = server:new{ timeout = 5000, max_payload_len = 1024 }
if not wb then
  ngx.log(ngx.ERR, "failed to create websocket: ", err)
  return ngx.exit(444)
end

counts.here = counts.here + 1
shared:incr("clients", 1, 0)

local function report()
  wb:send_text(string.format('{"worker":%d,"here":%d,"everywhere":%d}',
    ngx.worker.id(), counts.here, shared:get("clients")))
end

report()
-- Whole messages, fragments joined (see the echo server lesson).
local recv_message = messages.reader(wb, 1024)
while true do
  local data, typ, recv_err = recv_message()
  if not data and not messages.is_idle(recv_err) then
    break -- the client is gone
  elseif typ == "close" then
    wb:send_close(1000, "bye")
    break
  elseif typ == "text" then
    report() -- any text asks for the counts again
  end
end

counts.here = counts.here - 1
shared:incr("clients", -1)
