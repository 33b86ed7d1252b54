-- A live feed: once a second, a tick with a counter, from a light thread
-- that sleeps with ngx.sleep; the reader answers pings and notices the client
-- leaving, and then the ticker is stopped before the request ends.
local server = require "resty.websocket.server"
local messages = require "message_reader"
local cjson = require "cjson.safe"

local wb, err = server:new{ timeout = 5000, max_payload_len = 4096 }
if not wb then
  ngx.log(ngx.ERR, "failed to create websocket: ", err)
  return ngx.exit(444)
end

local function ticker()
  local n = 0
  while true do
    -- TODO: wait a second, count, and send { type = "tick", n = n } as JSON
    return
  end
end

local ticker_thread = ngx.thread.spawn(ticker)

local recv_message = messages.reader(wb, 4096)
while true do
  local data, typ, recv_err = recv_message()
  if not data then
    -- the ticker talks every second, so a quiet client is not a dead one
    if not messages.is_idle(recv_err) then break end
  elseif typ == "close" then
    wb:send_close(recv_err or 1000, data)
    break
  elseif typ == "ping" then
    wb:send_pong(data)
  end
end

-- TODO: stop the ticker, then log "feed stopped"
