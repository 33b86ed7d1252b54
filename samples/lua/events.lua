-- A registry of named events: register handlers, trigger an event with
-- arguments, every handler for it runs in the order it was registered.
-- Plain Lua: it runs anywhere, inside OpenResty or not.
local Events = {}
Events.__index = Events

function Events.new()
  return setmetatable({ handlers = {} }, Events)
end

function Events:on(name, handler)
  local list = self.handlers[name]
  if not list then
    list = {}
    self.handlers[name] = list
  end
  list[#list + 1] = handler
  -- Hand back a way to unregister, so callers need not keep the function.
  return function() self:off(name, handler) end
end

function Events:off(name, handler)
  local list = self.handlers[name] or {}
  for i = #list, 1, -1 do
    if list[i] == handler then table.remove(list, i) end
  end
end

-- Runs every handler; one that fails is reported and does not stop the rest.
-- Returns how many handlers ran successfully.
function Events:trigger(name, ...)
  local ran = 0
  -- Copy first: a handler may unregister itself while we iterate.
  local list = { table.unpack(self.handlers[name] or {}) }
  for _, handler in ipairs(list) do
    local ok, err = pcall(handler, ...)
    if ok then
      ran = ran + 1
    else
      io.stderr:write("handler for '", name, "' failed: ", tostring(err), "\n")
    end
  end
  return ran
end

return Events
