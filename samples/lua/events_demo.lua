-- Run with: lua5.4 events_demo.lua
package.path = "./?.lua;" .. package.path
local Events = require "events"

local bus = Events.new()

bus:on("message", function(from, text)
  print(("notify: %s says %q"):format(from, text))
end)
local stop_logging = bus:on("message", function(from, text)
  print(("log: %d bytes from %s"):format(#text, from))
end)
bus:on("message", function() error("this handler is broken") end)

print("ran " .. bus:trigger("message", "alice", "hello"))
stop_logging()
print("ran " .. bus:trigger("message", "bob", "hi"))
print("ran " .. bus:trigger("nobody-listens"))
