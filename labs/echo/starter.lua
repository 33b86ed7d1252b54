-- Your echo server. Every text or binary message should come back to its
-- sender unchanged; a ping gets a pong with the same data; a close gets a
-- close with the same code.
local server = require "resty.websocket.server"
local messages = require "message_reader"

local wb, err = server:new{ timeout = 5000, max_payload_len = 65535 }
if not wb then
  ngx.log(ngx.ERR, "failed to create websocket: ", err)
  return ngx.exit(444)
end

while true do
  local data, typ, err = wb:recv_frame()

  if not data then
    if not messages.is_idle(err) then
      ngx.log(ngx.ERR, "failed to receive a frame: ", err)
      return ngx.exit(444)
    end

  elseif typ == "close" then
    wb:send_close(err or 1000, data)
    return ngx.exit(ngx.OK)

  elseif typ == "text" then
    ngx.log(ngx.INFO, "received: ", data)
    -- TODO: send it back

  end
end
