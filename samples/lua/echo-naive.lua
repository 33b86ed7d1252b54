-- The echo server as it is often first written. It works for a quick demo,
-- but it treats a read timeout as fatal: a client that stays quiet for
-- longer than `timeout` is hung up on, even though nothing went wrong.
local server = require "resty.websocket.server"

local wb, err = server:new{ timeout = 5000, max_payload_len = 65535 }
if not wb then
  ngx.log(ngx.ERR, "failed to create websocket: ", err)
  return ngx.exit(444)
end

while true do
  local data, typ, err = wb:recv_frame()
  if not data then
    ngx.log(ngx.ERR, "failed to receive a frame: ", err)
    return ngx.exit(444)
  end

  if typ == "close" then
    wb:send_close(1000, "bye")
    return
  elseif typ == "ping" then
    wb:send_pong(data)
  elseif typ == "pong" then
    -- nothing to do
  elseif typ == "text" then
    wb:send_text(data)
  end
end
