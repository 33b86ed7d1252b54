-- Subprotocol negotiation in OpenResty. resty.websocket.server:new copies
-- the client's whole Sec-WebSocket-Protocol header into its 101 response, so
-- a browser that offered "chat.v2, chat.v1" reads back two names where it
-- must get one it offered, and fails the connection. Choose first, then put
-- only the choice back on the request: server:new echoes exactly that.
local server = require "resty.websocket.server"
local messages = require "message_reader"

local SUPPORTED = { "chat.v2", "chat.v1" } -- most preferred first

local function choose(offered)
  local names = {}
  for name in offered:gmatch("[^,%s]+") do names[name] = true end
  for _, name in ipairs(SUPPORTED) do
    if names[name] then return name end
  end
  return nil
end

local offered = ngx.req.get_headers()["sec-websocket-protocol"]
if type(offered) == "table" then offered = table.concat(offered, ",") end

local chosen
if offered then
  chosen = choose(offered)
  if not chosen then
    -- Answering with no subprotocol would fail the client anyway; a 400
    -- says why in the log, where a failed handshake says nothing.
    ngx.log(ngx.WARN, "no supported subprotocol among: ", offered)
    return ngx.exit(ngx.HTTP_BAD_REQUEST)
  end
  ngx.req.set_header("Sec-WebSocket-Protocol", chosen)
end

local wb, err = server:new{ timeout = 5000, max_payload_len = 65535 }
if not wb then
  ngx.log(ngx.ERR, "failed to create websocket: ", err)
  return ngx.exit(444)
end

-- Speaks the chosen version: each echo says which one it is.
local recv_message = messages.reader(wb, 65535)
while true do
  local data, typ, recv_err = recv_message()
  if not data then
    if not messages.is_idle(recv_err) then
      return ngx.exit(444)
    end
  elseif typ == "close" then
    wb:send_close(recv_err or 1000, data)
    return ngx.exit(ngx.OK)
  elseif typ == "ping" then
    wb:send_pong(data)
  elseif typ == "text" then
    wb:send_text((chosen or "none") .. ": " .. data)
  end
end
