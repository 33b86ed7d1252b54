-- A hub that never touches another request's socket. Each connection
-- subscribes with its own outbox; publishing only queues the message in every
-- outbox, and each connection's own writer thread sends it on its own socket.
-- (State is still per nginx worker: see "Scaling out".)
local writer = require "socket_writer"

local _M = { subscribers = {} }

function _M.subscribe()
  local box = writer.outbox()
  _M.subscribers[box] = true
  return box
end

function _M.unsubscribe(box)
  _M.subscribers[box] = nil
end

-- kind is "text" or "binary": a binary message must go out as binary.
function _M.publish(message, kind)
  for box in pairs(_M.subscribers) do
    writer.push(box, kind or "text", message)
  end
end

return _M
