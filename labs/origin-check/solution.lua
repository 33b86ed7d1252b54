-- Refuse handshakes from pages on other sites before upgrading, then echo
-- with a payload limit. Browsers always send Origin; other clients may not.
local server = require "resty.websocket.server"
local messages = require "message_reader"
local protocol = require "resty.websocket.protocol"

local ALLOWED_ORIGINS = {
  ["http://localhost:8080"] = true,
  ["https://chat.example.com"] = true,
}
local MAX_PAYLOAD = 4096

local origin = ngx.var.http_origin
if origin and not ALLOWED_ORIGINS[origin] then
  ngx.log(ngx.WARN, "refused a handshake from origin ", origin)
  return ngx.exit(ngx.HTTP_FORBIDDEN) -- still plain HTTP: a 403 response
end

local wb, err = server:new{ timeout = 30000, max_payload_len = MAX_PAYLOAD }
if not wb then
  ngx.log(ngx.ERR, "failed to create websocket: ", err)
  return ngx.exit(444)
end

-- Whole messages, fragments joined (see the echo server lesson).
local recv_message = messages.reader(wb, MAX_PAYLOAD)
while true do
  local data, typ, recv_err = recv_message()
  if not data then
    if messages.is_idle(recv_err) then
      wb:send_ping("still there?")
    elseif recv_err == "exceeding max payload len" then
      -- The object refuses to send after this error; write the 1009 close
      -- frame (0x03F1) with the protocol module instead.
      protocol.send_frame(wb.sock, true, 0x8, string.char(0x03, 0xF1) .. "too big", MAX_PAYLOAD, false)
      return ngx.exit(ngx.OK)
    else
      return ngx.exit(444)
    end
  elseif typ == "close" then
    wb:send_close(recv_err or 1000, data)
    return ngx.exit(ngx.OK)
  elseif typ == "ping" then
    wb:send_pong(data)
  elseif typ == "text" then
    wb:send_text(data)
  end
end
