-- NAIVE: keeps every client's socket in a shared table and loops over it.
local server = require "resty.websocket.server"
local hub = require "naive_hub"

local wb, err = server:new{ timeout = 5000, max_payload_len = 65535 }
if not wb then
  ngx.log(ngx.ERR, "failed to create websocket: ", err)
  return ngx.exit(444)
end

hub.clients[wb] = true -- and never removed

while true do
  local data, typ, err = wb:recv_frame()
  if not data then
    -- Only a timeout before a frame began is harmless (see message_reader.lua).
    if err ~= "failed to receive the first 2 bytes: timeout" then
      ngx.log(ngx.ERR, "failed to receive a frame: ", err)
      return ngx.exit(444)
    end
  elseif typ == "close" then
    wb:send_close(1000, "bye")
    return
  elseif typ == "text" then
    hub.broadcast(data)
  end
end
