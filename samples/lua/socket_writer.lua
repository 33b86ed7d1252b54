-- The only code that ever writes to a connection's socket. It runs as a
-- light thread of the request that owns the socket; everything else, in this
-- request or another, only puts frames in the connection's outbox and wakes
-- it. A semaphore, unlike a socket, may be shared by every request of a worker.
local semaphore = require "ngx.semaphore"

local _M = {}

-- A connection's outbox: frames waiting to be sent, and the semaphore that
-- wakes the writer. Hubs keep outboxes, never sockets.
function _M.outbox()
  return { queue = {}, sema = semaphore.new(0), done = false }
end

-- Queue one frame ("text", "binary", "ping", "pong" or "close") and wake the writer.
function _M.push(box, kind, data)
  box.queue[#box.queue + 1] = { kind = kind, data = data }
  box.sema:post(1)
end

-- The writer loop: ngx.thread.spawn(socket_writer.run, wb, box).
function _M.run(wb, box)
  while not box.done do
    local woken = box.sema:wait(10)
    while woken and #box.queue > 0 do
      local frame = table.remove(box.queue, 1)
      local bytes, err
      if frame.kind == "text" then
        bytes, err = wb:send_text(frame.data)
      elseif frame.kind == "binary" then
        bytes, err = wb:send_binary(frame.data)
      elseif frame.kind == "ping" then
        bytes, err = wb:send_ping(frame.data)
      elseif frame.kind == "pong" then
        bytes, err = wb:send_pong(frame.data)
      elseif frame.kind == "close" then
        wb:send_close(frame.data, "")
        box.done = true
        return
      end
      if not bytes then
        ngx.log(ngx.ERR, "failed to send: ", err)
        box.done = true
        return
      end
    end
  end
end

-- Ends the writer without a close frame (the client is already gone).
function _M.stop(box)
  box.done = true
  box.sema:post(1)
end

return _M
