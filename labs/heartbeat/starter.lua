-- A heartbeat: after each quiet period the server should ping, and after
-- MAX_MISSED unanswered pings in a row close with 4000 "no pong". Any frame from the
-- client proves it is alive.
local server = require "resty.websocket.server"
local messages = require "message_reader"

local PING_EVERY = 500 -- ms
local MAX_MISSED = 2

local wb, err = server:new{ timeout = PING_EVERY, max_payload_len = 65535 }
if not wb then
  ngx.log(ngx.ERR, "failed to create websocket: ", err)
  return ngx.exit(444)
end

local missed = 0

local recv_message = messages.reader(wb, 65535)
while true do
  local data, typ, recv_err = recv_message()

  if not data then
    if not messages.is_idle(recv_err) then
      ngx.log(ngx.INFO, "client gone: ", recv_err)
      return ngx.exit(444)
    end
    -- TODO: ping the quiet client, count the pings it has not answered,
    -- and close with 4000 "no pong" once MAX_MISSED of them went unanswered
  else
    missed = 0 -- any frame at all proves the client is there

    if typ == "close" then
      wb:send_close(recv_err or 1000, data)
      return ngx.exit(ngx.OK)
    elseif typ == "ping" then
      wb:send_pong(data)
    elseif typ == "text" then
      wb:send_text(data)
    elseif typ == "binary" then
      wb:send_binary(data)
    end
  end
end
