-- An echo server with a payload limit: a message larger than MAX_PAYLOAD
-- bytes must close the connection with 1009 (message too big), and anything
-- up to the limit comes back as usual.
local server = require "resty.websocket.server"
local messages = require "message_reader"

local MAX_PAYLOAD = 1024

local wb, err = server:new{ timeout = 5000, max_payload_len = 65535 }
if not wb then
  ngx.log(ngx.ERR, "failed to create websocket: ", err)
  return ngx.exit(444)
end

local recv_message = messages.reader(wb, 65535)

while true do
  local data, typ, err = recv_message()

  if not data then
    if not messages.is_idle(err) then
      ngx.log(ngx.ERR, "failed to receive a frame: ", err)
      return ngx.exit(444)
    end

  elseif typ == "close" then
    wb:send_close(err or 1000, data)
    return ngx.exit(ngx.OK)

  elseif typ == "ping" then
    wb:send_pong(data)

  elseif typ == "text" then
    wb:send_text(data)

  elseif typ == "binary" then
    wb:send_binary(data)
  end
end
