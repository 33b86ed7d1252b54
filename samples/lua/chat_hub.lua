-- The chat room's members, by name. Like broadcast_hub it keeps outboxes,
-- never sockets: it queues JSON text per member for that member's own writer
-- thread. One table per nginx worker (see "Scaling out").
local writer = require "socket_writer"
local cjson = require "cjson.safe"

local _M = { members = {}, next_id = 1 }

function _M.join(name)
  if _M.members[name] then return nil, "name in use" end
  local member = writer.outbox()
  member.name = name
  _M.members[name] = member
  return member
end

function _M.leave(member)
  _M.members[member.name] = nil
end

function _M.names()
  local names = {}
  for name in pairs(_M.members) do names[#names + 1] = name end
  table.sort(names)
  return names
end

function _M.send(member, message)
  writer.push(member, "text", cjson.encode(message))
end

function _M.encode(message)
  return cjson.encode(message)
end

-- Queues already-encoded JSON for everyone but the sender, so the caller can
-- check its size once before it goes to every outbox.
function _M.to_others_encoded(sender, text)
  for name, member in pairs(_M.members) do
    if name ~= sender.name then writer.push(member, "text", text) end
  end
end

function _M.to_others(sender, message)
  _M.to_others_encoded(sender, cjson.encode(message))
end

function _M.message_id()
  local id = _M.next_id
  _M.next_id = id + 1
  return id
end

return _M
