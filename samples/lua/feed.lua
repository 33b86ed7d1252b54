-- A live feed in OpenResty: ws://host/feed?topics=cpu,visitors. Every second
-- the connection sends the current value of each topic it subscribed to.
local server = require "resty.websocket.server"
local messages = require "message_reader"
local semaphore = require "ngx.semaphore"
local cjson = require "cjson.safe"
local topics = require "feed_topics"

local INTERVAL = 1 -- seconds

local wb, err = server:new{ timeout = 30000, max_payload_len = 4096 }
if not wb then
  ngx.log(ngx.ERR, "failed to create websocket: ", err)
  return ngx.exit(444)
end

local subscribed = {}
for topic in (ngx.var.arg_topics or "cpu"):gmatch("[^,]+") do
  if topics.known(topic) then subscribed[topic] = true end
end

-- Two light threads of one request must not write to the socket at the
-- same time, so the reader hands replies to the writer through `outbox`.
local outbox, wake, done = {}, semaphore.new(0), false

local function writer()
  local next_tick = ngx.now() + INTERVAL
  while not done do
    -- wait() counts whole milliseconds: asked for less than one, it returns
    -- at once without yielding, ngx.now() (nginx's cached clock) never moves
    -- on, and this loop would spin forever with the worker frozen. So: never
    -- less than 1 ms, and no wait at all once the tick is due.
    local left = next_tick - ngx.now()
    if left > 0 then wake:wait(math.max(0.001, left)) end
    while #outbox > 0 do
      local frame = table.remove(outbox, 1)
      local ok, send_err
      if frame.kind == "pong" then
        ok, send_err = wb:send_pong(frame.data)
      elseif frame.kind == "close" then
        wb:send_close(frame.data, "")
        return
      else
        ok, send_err = wb:send_text(frame.data)
      end
      if not ok then done = true; return ngx.log(ngx.INFO, "send failed: ", send_err) end
    end
    if ngx.now() >= next_tick then
      next_tick = next_tick + INTERVAL
      local now = ngx.now()
      for topic in pairs(subscribed) do
        local tick = { type = "tick", topic = topic, value = topics.value(topic, now), ts = now * 1000 }
        local ok, send_err = wb:send_text(cjson.encode(tick))
        if not ok then done = true; return ngx.log(ngx.INFO, "send failed: ", send_err) end
      end
    end
  end
end

local function reply(kind, data)
  outbox[#outbox + 1] = { kind = kind, data = data }
  wake:post(1)
end

local writer_thread = ngx.thread.spawn(writer)

-- Whole messages, fragments joined (see the echo server lesson).
local recv_message = messages.reader(wb, 4096)
while not done do
  local data, typ, recv_err = recv_message()
  if not data then
    -- The writer talks every second, so a silent reader is not a dead
    -- client; only a real error ends the connection.
    if not messages.is_idle(recv_err) then break end
  elseif typ == "close" then
    reply("close", recv_err or 1000)
    break
  elseif typ == "ping" then
    reply("pong", data)
  elseif typ == "text" then
    local command = cjson.decode(data)
    if command == nil then
      reply("text", cjson.encode({ type = "error", code = "bad_json" }))
    elseif type(command) == "table" and (command.type == "subscribe" or command.type == "unsubscribe") then
      for _, topic in ipairs(type(command.topics) == "table" and command.topics or {}) do
        if topics.known(topic) then
          subscribed[topic] = command.type == "subscribe" or nil
        end
      end
    else
      reply("text", cjson.encode({ type = "error", code = "unknown_type" }))
    end
  end
end

-- Stop the writer (it may be asleep until the next tick) and wait for it,
-- so a queued close frame still goes out.
done = true
wake:post(1)
ngx.thread.wait(writer_thread)
