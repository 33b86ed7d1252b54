-- A hub that never touches another request's socket. Each connection
-- subscribes with its own queue and semaphore; publishing only appends to
-- queues and wakes their owners, and each owner's writer thread sends on its
-- own socket. (State is still per nginx worker: see "Scaling out".)
local semaphore = require "ngx.semaphore"

local _M = { subscribers = {} }

function _M.subscribe()
  local sub = { queue = {}, sema = semaphore.new(0) }
  _M.subscribers[sub] = true
  return sub
end

function _M.unsubscribe(sub)
  _M.subscribers[sub] = nil
end

-- Queue a frame for one subscriber and wake its writer.
function _M.deliver(sub, kind, data)
  sub.queue[#sub.queue + 1] = { kind = kind, data = data }
  sub.sema:post(1)
end

function _M.publish(message)
  for sub in pairs(_M.subscribers) do
    _M.deliver(sub, "text", message)
  end
end

return _M
