-- An echo server that survives idle clients and says why it hangs up.
local server = require "resty.websocket.server"
local protocol = require "resty.websocket.protocol"
local messages = require "message_reader"

local MAX_PAYLOAD = 65535

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

-- Text and binary messages come back whole, however many frames they took.
local recv_message = messages.reader(wb, MAX_PAYLOAD)

while true do
  local data, typ, err = recv_message()

  if not data then
    if messages.is_idle(err) then
      -- Quiet is not dead: ask the client to prove it is still there.
      local ok, ping_err = wb:send_ping("still there?")
      if not ok then
        ngx.log(ngx.ERR, "failed to send ping: ", ping_err)
        return ngx.exit(444)
      end
    elseif err == "exceeding max payload len" then
      ngx.log(ngx.WARN, "closing: frame larger than ", MAX_PAYLOAD, " bytes")
      close_too_big("frame too large")
      return ngx.exit(ngx.OK)
    elseif err == "message too large" then
      ngx.log(ngx.WARN, "closing: message larger than ", MAX_PAYLOAD, " bytes")
      close_too_big("message too large")
      return ngx.exit(ngx.OK)
    else
      -- Most often the client just went away: that is news, not a server error.
      ngx.log(ngx.INFO, "client gone: ", err)
      return ngx.exit(444)
    end

  elseif typ == "close" then
    -- `err` holds the client's status code; answer with the same one.
    wb:send_close(err or 1000, data)
    return ngx.exit(ngx.OK)

  elseif typ == "ping" then
    wb:send_pong(data)

  elseif typ == "pong" then
    -- The answer to our ping: the client is alive. Keep reading.

  elseif typ == "text" then
    wb:send_text(data)

  elseif typ == "binary" then
    wb:send_binary(data)
  end
end
