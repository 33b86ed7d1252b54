-- Carries broadcast messages between nginx workers through shared memory,
-- which every worker can reach (module tables and semaphores cannot).
-- Each worker has its own list in the `relay` shared dict: publishing
-- appends the message to every worker's list, and a timer in each worker
-- moves what arrived into that worker's hub. In the http block:
--   lua_shared_dict relay 1m;
--   init_worker_by_lua_block { require("relay").start() }
local hub = require "broadcast_hub"

local POLL_SECONDS = 0.05

local _M = {}

-- A list entry is one string, so the message's kind travels as its first
-- byte: "b" for binary, "t" for text (two entries could interleave).
function _M.publish(message, kind)
  local relay = ngx.shared.relay
  local entry = (kind == "binary" and "b" or "t") .. message
  for worker = 0, ngx.worker.count() - 1 do
    local length, err = relay:rpush("worker:" .. worker, entry)
    if not length then
      ngx.log(ngx.ERR, "relay: cannot queue for worker ", worker, ": ", err)
    end
  end
end

function _M.start()
  local relay = ngx.shared.relay
  local mine = "worker:" .. ngx.worker.id()
  local ok, err = ngx.timer.every(POLL_SECONDS, function(premature)
    if premature then return end -- nginx is shutting down
    while true do
      local entry = relay:lpop(mine)
      if entry == nil then break end
      local kind = entry:sub(1, 1) == "b" and "binary" or "text"
      hub.publish(entry:sub(2), kind) -- local subscribers only: queue + semaphore
    end
  end)
  if not ok then
    ngx.log(ngx.ERR, "relay: cannot start the timer: ", err)
  end
end

return _M
