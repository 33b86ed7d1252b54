-- Module-level state: nginx loads this module once per worker process, so
-- every request that worker serves sees the same `clients` table.
local _M = { clients = {} }

function _M.broadcast(message)
  for wb in pairs(_M.clients) do
    -- Each wb belongs to the request that created it. Sending on another
    -- request's socket from here is exactly what OpenResty forbids.
    local bytes, err = wb:send_text(message)
    if not bytes then
      ngx.log(ngx.ERR, "failed to send: ", err)
    end
  end
end

return _M
