-- Simulated topics. A value is a function of time, so every connection,
-- in every nginx worker, reports the same value for the same second.
local _M = {}

local topics = {
  cpu = { base = 40, swing = 25, period = 30 },
  visitors = { base = 120, swing = 60, period = 90 },
  orders = { base = 8, swing = 6, period = 45 },
}

function _M.known(topic)
  return type(topic) == "string" and topics[topic] ~= nil
end

function _M.value(topic, now)
  local t = topics[topic]
  return math.floor(t.base + t.swing * math.sin(2 * math.pi * now / t.period) + 0.5)
end

return _M
