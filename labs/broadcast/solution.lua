-- Broadcast that works in OpenResty: every message goes to every client,
-- sender included, and each socket is written only by its own request.
local server = require "resty.websocket.server"
local messages = require "message_reader"
local writer = require "socket_writer"
local hub = require "broadcast_hub"

local wb, err = server:new{ timeout = 5000, max_payload_len = 65535 }
if not wb then
  ngx.log(ngx.ERR, "failed to create websocket: ", err)
  return ngx.exit(444)
end

local box = hub.subscribe()
local writer_thread = ngx.thread.spawn(writer.run, wb, box)

-- Whole messages, fragments joined (see the echo server lesson).
local recv_message = messages.reader(wb, 65535)
while true do
  local data, typ, recv_err = recv_message()
  if not data then
    if messages.is_idle(recv_err) then
      writer.push(box, "ping", "still there?")
    else
      ngx.log(ngx.INFO, "client gone: ", recv_err)
      hub.unsubscribe(box) -- nobody publishes to a closed connection
      writer.stop(box)
      ngx.thread.wait(writer_thread)
      return ngx.exit(444)
    end
  elseif typ == "close" then
    hub.unsubscribe(box)
    writer.push(box, "close", recv_err or 1000)
    ngx.thread.wait(writer_thread)
    return
  elseif typ == "ping" then
    writer.push(box, "pong", data)
  elseif typ == "text" then
    hub.publish(data)
  end
end
