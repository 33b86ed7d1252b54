-- A chat room in OpenResty: ws://host/chat?name=alice. Names are checked
-- before the upgrade, so a bad or taken name is an HTTP status.
local server = require "resty.websocket.server"
local hub = require "chat_hub"

local name = ngx.var.arg_name or ""
if not ngx.re.find(name, [[^[A-Za-z0-9_-]{1,24}$]], "jo") then
  return ngx.exit(ngx.HTTP_BAD_REQUEST)
end
local me = hub.join(name)
if not me then
  return ngx.exit(409)
end

local wb, err = server:new{ timeout = 5000, max_payload_len = 65535 }
if not wb then
  hub.leave(me)
  ngx.log(ngx.ERR, "failed to create websocket: ", err)
  return ngx.exit(444)
end

local done = false

-- Only this request's writer sends on this socket (see "Broadcasting").
local function writer()
  while not done do
    local ok = me.sema:wait(10)
    while ok and #me.queue > 0 do
      local frame = table.remove(me.queue, 1)
      local bytes, send_err
      if frame.kind == "text" then
        bytes, send_err = wb:send_text(frame.data)
      elseif frame.kind == "ping" then
        bytes, send_err = wb:send_ping(frame.data)
      elseif frame.kind == "pong" then
        bytes, send_err = wb:send_pong(frame.data)
      elseif frame.kind == "close" then
        wb:send_close(frame.data, "bye")
        return
      end
      if not bytes then
        ngx.log(ngx.ERR, "failed to send to ", me.name, ": ", send_err)
        done = true
        return
      end
    end
  end
end

local writer_thread = ngx.thread.spawn(writer)
hub.send(me, { type = "welcome", you = me.name, users = hub.names() })
hub.to_others(me, { type = "join", name = me.name })

local function leave()
  hub.leave(me)
  hub.to_others(me, { type = "leave", name = me.name })
end

while not done do
  local data, typ, recv_err = wb:recv_frame()
  if not data then
    if recv_err and recv_err:find(": timeout", 1, true) then
      hub.deliver(me, "ping", "")
    else
      leave()
      done = true
      me.sema:post(1)
      ngx.thread.wait(writer_thread)
      return ngx.exit(444)
    end
  elseif typ == "close" then
    leave()
    hub.deliver(me, "close", recv_err or 1000)
    ngx.thread.wait(writer_thread)
    done = true
  elseif typ == "ping" then
    hub.deliver(me, "pong", data)
  elseif typ == "text" then
    -- Relayed as a JSON string: the receiving page must show it as text.
    hub.to_others(me, {
      type = "message", id = hub.message_id(), from = me.name, text = data, ts = ngx.now() * 1000,
    })
  end
end
