-- broadcast.lua with one change: messages go through the relay, so they
-- reach the clients of every nginx worker, not just this one.
local server = require "resty.websocket.server"
local messages = require "message_reader"
local hub = require "broadcast_hub"
local relay = require "relay"

local wb, err = server:new{ timeout = 5000, max_payload_len = 65535 }
if not wb then
  ngx.log(ngx.ERR, "failed to create websocket: ", err)
  return ngx.exit(444)
end

local sub = hub.subscribe()
local done = false

-- The only code that sends on this socket. Running it in a light thread of
-- this request keeps the cosocket in the request that created it.
local function writer()
  while not done do
    local ok = sub.sema:wait(10)
    while ok and #sub.queue > 0 do
      local frame = table.remove(sub.queue, 1)
      local bytes, send_err
      if frame.kind == "text" then
        bytes, send_err = wb:send_text(frame.data)
      elseif frame.kind == "pong" then
        bytes, send_err = wb:send_pong(frame.data)
      elseif frame.kind == "ping" then
        bytes, send_err = wb:send_ping(frame.data)
      elseif frame.kind == "close" then
        wb:send_close(frame.data, "bye")
        return
      end
      if not bytes then
        ngx.log(ngx.ERR, "failed to send: ", send_err)
        done = true
        return
      end
    end
  end
end

local writer_thread = ngx.thread.spawn(writer)

local function leave(code)
  hub.unsubscribe(sub) -- nobody publishes to a closed connection
  hub.deliver(sub, "close", code)
  ngx.thread.wait(writer_thread)
  done = true
end

-- Whole messages, fragments joined (see the echo server lesson).
local recv_message = messages.reader(wb, 65535)
while not done do
  local data, typ, recv_err = recv_message()
  if not data then
    if recv_err and recv_err:find(": timeout", 1, true) then
      hub.deliver(sub, "ping", "still there?")
    else
      ngx.log(ngx.INFO, "client gone: ", recv_err)
      hub.unsubscribe(sub)
      done = true
      sub.sema:post(1)
      ngx.thread.wait(writer_thread)
      return ngx.exit(444)
    end
  elseif typ == "close" then
    leave(recv_err or 1000)
  elseif typ == "ping" then
    hub.deliver(sub, "pong", data)
  elseif typ == "text" then
    relay.publish(data) -- was: hub.publish(data)
  end
end
