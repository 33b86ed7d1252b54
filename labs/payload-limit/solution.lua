-- An echo server with a payload limit: a message larger than MAX_PAYLOAD
-- bytes closes the connection with 1009 (message too big).
local server = require "resty.websocket.server"
local protocol = require "resty.websocket.protocol"
local messages = require "message_reader"

local MAX_PAYLOAD = 1024

local wb, err = server:new{ timeout = 5000, max_payload_len = MAX_PAYLOAD }
if not wb then
  ngx.log(ngx.ERR, "failed to create websocket: ", err)
  return ngx.exit(444)
end

-- Once recv_frame reports an oversized frame the object refuses to send
-- anything, so the 1009 close frame goes out through the protocol module.
local function close_too_big(reason)
  local payload = string.char(0x03, 0xF1) .. reason -- 0x03F1 = 1009
  protocol.send_frame(wb.sock, true, 0x8, payload, MAX_PAYLOAD, false)
end

local recv_message = messages.reader(wb, MAX_PAYLOAD)

while true do
  local data, typ, err = recv_message()

  if not data then
    if err == "exceeding max payload len" or err == "message too large" then
      ngx.log(ngx.WARN, "closing: message larger than ", MAX_PAYLOAD, " bytes")
      close_too_big("message too big")
      return ngx.exit(ngx.OK)
    elseif not messages.is_idle(err) then
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
