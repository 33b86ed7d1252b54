-- Event-driven dispatch: each JSON message names its event in "type";
-- handlers are registered by type and triggered with the message, and an
-- unknown type is answered with an error instead of being dropped.
local server = require "resty.websocket.server"
local messages = require "message_reader"
local cjson = require "cjson.safe"

local wb, err = server:new{ timeout = 5000, max_payload_len = 65535 }
if not wb then
  ngx.log(ngx.ERR, "failed to create websocket: ", err)
  return ngx.exit(444)
end

local function reply(message)
  wb:send_text(cjson.encode(message))
end

-- The registry: one handler per event type. (The events module of the
-- lesson allows several per type; one is all this protocol needs.)
local handlers = {}
local function on(name, handler)
  handlers[name] = handler
end

on("greet", function(event)
  reply({ type = "greeting", text = "hello, " .. tostring(event.name) })
end)

on("add", function(event)
  reply({ type = "sum", value = (tonumber(event.a) or 0) + (tonumber(event.b) or 0) })
end)

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
    local event = cjson.decode(data)
    if type(event) ~= "table" or type(event.type) ~= "string" then
      reply({ type = "error", message = "expected a JSON object with a \"type\"" })
    else
      local handler = handlers[event.type]
      if handler then
        handler(event)
      else
        -- nobody registered this type: say so rather than drop it
        reply({ type = "error", message = "unknown event type: " .. event.type })
      end
    end
  end
end
