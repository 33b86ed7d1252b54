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

function _M.publish(message)
  local relay = ngx.shared.relay
  for worker = 0, ngx.worker.count() - 1 do
    local length, err = relay:rpush("worker:" .. worker, message)
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
      local message = relay:lpop(mine)
      if message == nil then break end
      hub.publish(message) -- local subscribers only: queue + semaphore
    end
  end)
  if not ok then
    ngx.log(ngx.ERR, "relay: cannot start the timer: ", err)
  end
end

return _M
