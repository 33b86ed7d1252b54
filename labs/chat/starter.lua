-- A chat room in OpenResty: ws://host/chat?name=alice. Names are checked
-- before the upgrade, so a bad or taken name is an HTTP status.
local server = require "resty.websocket.server"
local messages = require "message_reader"
local writer = require "socket_writer"
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

local writer_thread = ngx.thread.spawn(writer.run, wb, me)
hub.send(me, { type = "welcome", you = me.name, users = hub.names() })
hub.to_others(me, { type = "join", name = me.name })

local function leave()
  hub.leave(me)
  -- TODO: tell the others that this member left
end

-- Whole messages, fragments joined (see the echo server lesson).
local recv_message = messages.reader(wb, 65535)
while true do
  local data, typ, recv_err = recv_message()
  if not data then
    if messages.is_idle(recv_err) then
      writer.push(me, "ping", "")
    else
      leave()
      writer.stop(me)
      ngx.thread.wait(writer_thread)
      return ngx.exit(444)
    end
  elseif typ == "close" then
    leave()
    writer.push(me, "close", recv_err or 1000)
    ngx.thread.wait(writer_thread)
    return
  elseif typ == "ping" then
    writer.push(me, "pong", data)
  elseif typ == "text" then
    -- Relayed as a JSON string: the receiving page must show it as text.
    -- TODO: everyone but the sender should get it
    hub.send(me, {
      type = "message", id = hub.message_id(), from = me.name, text = data, ts = ngx.now() * 1000,
    })
  end
end
