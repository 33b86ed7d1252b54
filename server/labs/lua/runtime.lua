-- The embedded OpenResty: one Lua 5.4 VM plays one nginx worker. The host
-- (server/labs/lua/vm.ts) feeds it events -- a request arrived, bytes arrived,
-- the client hung up, time passed -- and it runs every request's coroutines
-- until all of them wait again, then reports the next deadline. It never
-- blocks and never yields to the host: waiting is a coroutine parked here.
--
-- Bytes cross the host boundary as hex, because the bridge converts strings
-- through UTF-8 and a WebSocket stream is arbitrary bytes.
local host = __host
__host = nil

local BUDGET = host.budget          -- instructions per resume before a loop is stopped
local STEP = 10000                   -- how often the count hook looks
local HANDLER = "=handler"           -- chunk name of the learner's code

local co_create, co_resume, co_yield, co_status = coroutine.create, coroutine.resume, coroutine.yield, coroutine.status
local sethook, getinfo, traceback = debug.sethook, debug.getinfo, debug.traceback
local char, byte, concat, format = string.char, string.byte, table.concat, string.format
local raw_load = load

-- hex <-> bytes by table lookup: gsub with a table is the fast path in Lua.
local HEX2B, B2HEX = {}, {}
for i = 0, 255 do
  local h = format("%02x", i)
  HEX2B[h] = char(i)
  B2HEX[char(i)] = h
end
local function unhex(s) return (s:gsub("%x%x", HEX2B)) end
local function tohex(s) return (s:gsub(".", B2HEX)) end

local rt = {}
local now_ms = host.now()
local steps = 0
local current = nil         -- the thread running now
local ready = {}            -- { th, args } to resume, in order
local sleepers = {}         -- set of threads that may wait with a deadline
local requests = {}         -- conn id -> request
local next_thread = 0

-- Learner-visible line of the innermost handler frame, for log lines and errors.
local function handler_line(level)
  for l = level, level + 40 do
    local info = getinfo(l, "Sl")
    if not info then return nil end
    if info.source == HANDLER and info.currentline and info.currentline > 0 then
      return info.currentline
    end
  end
  return nil
end

local function emit_log(level, text, line)
  host.log(level, text, line or -1)
end

-- The count hook: a resume that runs BUDGET instructions without waiting is a
-- loop. Once tripped, the thread is doomed: the hook then fires on every
-- instruction, so a pcall around the loop cannot keep it alive.
local function hook()
  local th = current
  if th and th.doom then error(th.doom, 0) end
  steps = steps + STEP
  if steps > BUDGET then
    local line = handler_line(2)
    local message = format("stopped: the code ran %d million instructions without waiting (an endless loop?)%s",
      BUDGET // 1000000, line and (" at line " .. line) or "")
    if th then
      th.doom = message
      th.error_line = line
    end
    sethook(hook, "", 1)
    error(message, 0)
  end
end

local function new_coroutine(fn)
  local co = co_create(fn)
  sethook(co, hook, "", STEP)
  return co
end
rt.new_coroutine = new_coroutine

---------------------------------------------------------------------------
-- threads and waiting
---------------------------------------------------------------------------

local function wake(th, ...)
  if th.dead or not th.wait then return end
  th.wait = nil
  ready[#ready + 1] = { th = th, args = table.pack(...) }
end

-- Parks the current thread until wake(); deadline in ms (nil: none).
local function park(kind, deadline_ms, on_timeout)
  local th = current
  local w = { kind = kind, deadline = deadline_ms, on_timeout = on_timeout }
  th.wait = w
  -- a set: a reader parks once per frame, and must not pile up here
  if deadline_ms then sleepers[th] = true end
  return co_yield(w)
end

local finish_request -- forward

local function maybe_finish(req)
  if req.entry_done and next(req.threads) == nil and not req.finished then
    finish_request(req, nil)
  end
end

local function thread_done(th, ok, results)
  th.dead = true
  th.ok = ok
  th.results = results
  local req = th.req
  req.threads[th] = nil
  if not ok then
    local err = tostring(results[1])
    results[1] = err
    local kind = th.is_entry and "entry" or (th.is_timer and "timer" or "user")
    emit_log(4, format("lua %s thread aborted: runtime error: %s", kind, err), th.error_line)
    -- a memory bomb leaves its garbage behind: take it back now
    collectgarbage("collect")
    if th.is_entry or th.is_timer then
      finish_request(req, req.upgraded and 444 or 500)
      return
    end
  end
  for _, waiter in ipairs(th.waiters or {}) do wake(waiter) end
  th.waiters = nil
  if th.is_entry then req.entry_done = true end
  maybe_finish(req)
end

local EXIT = {}

local function resume(th, args)
  if th.dead then return end
  local prev = current
  current = th
  -- a light thread started by a running thread shares its budget
  if not prev then steps = 0 end
  local res = table.pack(co_resume(th.co, table.unpack(args, 1, args.n)))
  current = prev
  if th.dead then return end
  if co_status(th.co) == "dead" then
    if not res[1] then
      thread_done(th, false, table.pack(res[2]))
    elseif res[2] then
      thread_done(th, true, table.pack(table.unpack(res, 3, res.n)))
    else
      thread_done(th, false, table.pack(res[3]))
    end
  elseif not th.wait then
    -- a bare coroutine.yield() from the handler: run again after the others
    ready[#ready + 1] = { th = th, args = { n = 0 } }
  end
end

local function run_ready()
  while #ready > 0 do
    local batch = ready
    ready = {}
    for i = 1, #batch do resume(batch[i].th, batch[i].args) end
  end
end

local function spawn_thread(req, fn, args, flags)
  next_thread = next_thread + 1
  local th = { id = next_thread, req = req, waiters = {} }
  for k, v in pairs(flags or {}) do th[k] = v end
  th.co = new_coroutine(function(...)
    return fn(...)
  end)
  req.threads[th] = true
  return th
end

-- Errors raised inside a thread carry the learner's line: remember it before unwinding.
local function with_line(fn)
  return function(...)
    return xpcall(fn, function(err)
      if current then current.error_line = handler_line(2) end
      return err
    end, ...)
  end
end

local function unwrap(ok, ...)
  if ok then return ... end
  error((...), 0)
end

---------------------------------------------------------------------------
-- requests
---------------------------------------------------------------------------

function finish_request(req, status)
  if req.finished then return end
  req.finished = true
  for th in pairs(req.threads) do
    th.dead = true
    th.wait = nil
  end
  req.threads = {}
  if req.sock then req.sock.closed = true end
  if req.conn then
    requests[req.conn] = nil
    if req.upgraded then
      host.finish(req.conn, 0)
    else
      host.finish(req.conn, status or 200)
    end
  end
end

local function cosocket_guard(sock)
  if not current or current.req ~= sock.req then
    error("bad request", 0)
  end
end

local Sock = {}
Sock.__index = Sock

function Sock:settimeout(ms)
  cosocket_guard(self)
  self.timeout = tonumber(ms) or self.timeout
end

function Sock:settimeouts(_, send, read)
  cosocket_guard(self)
  self.timeout = tonumber(read) or self.timeout
end

function Sock:receive(n)
  cosocket_guard(self)
  n = tonumber(n)
  if self.reading then return nil, "socket busy reading" end
  while true do
    if #self.buf >= n then
      local data = self.buf:sub(1, n)
      self.buf = self.buf:sub(n + 1)
      return data
    end
    if self.eof or self.closed then return nil, "closed", self.buf end
    self.reading = current
    local timeout = self.timeout
    local why = park("recv", timeout and timeout > 0 and (now_ms + timeout) or nil)
    self.reading = nil
    if why == "timeout" then return nil, "timeout", "" end
  end
end

function Sock:send(data)
  cosocket_guard(self)
  if self.closed or self.eof then return nil, "closed" end
  if type(data) == "table" then data = concat(data) end
  data = tostring(data)
  host.send(self.req.conn, tohex(data))
  return #data
end

function Sock:close()
  cosocket_guard(self)
  self.closed = true
  return 1
end

local function new_request(conn, info, handler)
  local req = {
    conn = conn, threads = {}, info = info, ctx = {},
    headers = info.headers, vars = info.vars,
  }
  return req
end

---------------------------------------------------------------------------
-- the sandbox: the globals a handler sees
---------------------------------------------------------------------------

local G = {}
for _, name in ipairs({ "assert", "error", "ipairs", "next", "pairs", "pcall", "rawequal", "rawget", "rawlen",
  "rawset", "select", "setmetatable", "getmetatable", "tonumber", "tostring", "type", "xpcall", "_VERSION" }) do
  G[name] = _G[name]
end
local function copy(t)
  local out = {}
  for k, v in pairs(t) do out[k] = v end
  return out
end
G.string, G.table, G.math, G.utf8 = copy(string), copy(table), copy(math), copy(utf8)
G.os = { time = os.time, clock = os.clock, date = os.date, difftime = os.difftime, getenv = function() return nil end }
-- Coroutines made by the learner get the loop-stopping hook too.
G.coroutine = copy(coroutine)
G.coroutine.create = new_coroutine
G.coroutine.wrap = function(fn)
  local co = new_coroutine(fn)
  return function(...) return unwrap(co_resume(co, ...)) end
end
-- No files: io keeps only writing to stderr, which nginx sends to its error log, as here.
local function io_write(_, ...)
  local parts = {}
  for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
  local text = concat(parts):gsub("\n$", "")
  emit_log(0, text, handler_line(2))
  return _
end
G.io = { stderr = { write = io_write }, write = function(...) return io_write(nil, ...) end }
G.debug = { traceback = traceback, getinfo = getinfo }
G.collectgarbage = function(opt, ...)
  if opt == nil or opt == "collect" or opt == "count" or opt == "step" then return collectgarbage(opt, ...) end
  return 0
end
-- LuaJIT-isms the course's code may use.
G.unpack = table.unpack
G.table.getn = function(t) return #t end
G.math.pow = function(a, b) return a ^ b end
G.loadstring = nil
G._G = G

---------------------------------------------------------------------------
-- ngx
---------------------------------------------------------------------------

local ngx = {
  OK = 0, ERROR = -1, AGAIN = -2, DONE = -4, DECLINED = -5,
  STDERR = 0, EMERG = 1, ALERT = 2, CRIT = 3, ERR = 4, WARN = 5, NOTICE = 6, INFO = 7, DEBUG = 8,
  HTTP_CONTINUE = 100, HTTP_SWITCHING_PROTOCOLS = 101, HTTP_OK = 200, HTTP_CREATED = 201, HTTP_NO_CONTENT = 204,
  HTTP_MOVED_PERMANENTLY = 301, HTTP_MOVED_TEMPORARILY = 302, HTTP_NOT_MODIFIED = 304,
  HTTP_BAD_REQUEST = 400, HTTP_UNAUTHORIZED = 401, HTTP_FORBIDDEN = 403, HTTP_NOT_FOUND = 404,
  HTTP_NOT_ALLOWED = 405, HTTP_REQUEST_TIMEOUT = 408, HTTP_GONE = 410, HTTP_TOO_MANY_REQUESTS = 429,
  HTTP_CLOSE = 444, HTTP_INTERNAL_SERVER_ERROR = 500, HTTP_NOT_IMPLEMENTED = 501, HTTP_BAD_GATEWAY = 502,
  HTTP_SERVICE_UNAVAILABLE = 503, HTTP_GATEWAY_TIMEOUT = 504,
}
G.ngx = ngx
ngx.null = setmetatable({}, { __tostring = function() return "null" end })
ngx.config = { subsystem = "http", ngx_lua_version = 10026, debug = false }

local function log_text(...)
  local n = select("#", ...)
  local parts = {}
  for i = 1, n do
    local v = select(i, ...)
    if v == nil then parts[i] = "nil"
    elseif type(v) == "table" and getmetatable(v) == nil then error("bad argument #" .. i .. " to 'log' (table expected to have __tostring)", 3)
    else parts[i] = tostring(v) end
  end
  return concat(parts)
end

function ngx.log(level, ...)
  if type(level) ~= "number" then error("bad argument #1 to 'log' (number expected, got " .. type(level) .. ")", 2) end
  emit_log(level, log_text(...), handler_line(2))
end
G.print = function(...)
  local n = select("#", ...)
  local parts = {}
  for i = 1, n do parts[i] = tostring((select(i, ...))) end
  emit_log(6, concat(parts), handler_line(2))
end

local function this_request(what)
  if not current then error("no request found", 3) end
  return current.req
end

function ngx.exit(status)
  local th = current
  local req = this_request()
  status = tonumber(status) or 0
  if req.conn and not req.upgraded then
    if status == 0 then status = 200 end
  end
  finish_request(req, status)
  -- parked for good: the thread is dead, so nothing resumes it (a pcall cannot catch this)
  co_yield(EXIT)
end

function ngx.now() return now_ms / 1000 end
function ngx.time() return now_ms // 1000 end
function ngx.update_time() now_ms = host.now() end
function ngx.today() return os.date("%Y-%m-%d", now_ms // 1000) end
function ngx.localtime() return os.date("%Y-%m-%d %H:%M:%S", now_ms // 1000) end

function ngx.sleep(seconds)
  this_request()
  seconds = tonumber(seconds) or 0
  park("sleep", now_ms + math.max(0, seconds * 1000))
end

ngx.thread = {}
function ngx.thread.spawn(fn, ...)
  local req = this_request()
  if type(fn) ~= "function" then error("bad argument #1 to 'spawn' (function expected)", 2) end
  local th = spawn_thread(req, with_line(fn), nil, { parent = current })
  -- A light thread runs at once, until it first waits; then its spawner goes on.
  resume(th, table.pack(...))
  return th
end

function ngx.thread.wait(...)
  local me = current
  this_request()
  local list = table.pack(...)
  while true do
    for i = 1, list.n do
      local th = list[i]
      if th.dead and not th.reaped then
        th.reaped = true
        if th.ok then
          local r = th.results
          return true, table.unpack(r, 1, r.n)
        end
        return false, th.results[1]
      end
    end
    for i = 1, list.n do
      local th = list[i]
      if th.req ~= me.req then error("attempt to wait on a coroutine that is not a user thread", 2) end
      th.waiters = th.waiters or {}
      th.waiters[#th.waiters + 1] = me
    end
    park("thread")
  end
end

function ngx.thread.kill(th)
  if th.req ~= (current and current.req) then return nil, "not user thread" end
  if th.dead then return nil, "already terminated" end
  th.dead = true
  th.wait = nil
  th.req.threads[th] = nil
  th.ok, th.results = false, table.pack("killed")
  maybe_finish(th.req)
  return true
end

-- ngx.semaphore, shared by every request of the worker (unlike sockets).
local Sema = {}
Sema.__index = Sema
local semaphore = {}
function semaphore.new(n) return setmetatable({ count_ = tonumber(n) or 0, queue = {} }, Sema), nil end
function Sema:count() return self.count_ end
function Sema:post(n)
  n = tonumber(n) or 1
  self.count_ = self.count_ + n
  while self.count_ > 0 and #self.queue > 0 do
    local th = table.remove(self.queue, 1)
    if not th.dead and th.wait then
      self.count_ = self.count_ - 1
      wake(th, "ok")
    end
  end
  return true
end
function Sema:wait(seconds)
  if self.count_ > 0 then
    self.count_ = self.count_ - 1
    return true
  end
  seconds = tonumber(seconds) or 0
  if seconds <= 0 then return nil, "timeout" end
  this_request()
  self.queue[#self.queue + 1] = current
  local why = park("sema", now_ms + seconds * 1000)
  if why == "ok" then return true end
  for i, th in ipairs(self.queue) do
    if th == current then table.remove(self.queue, i) break end
  end
  return nil, "timeout"
end

-- ngx.timer.at / every: each run is its own fake request, as in nginx.
ngx.timer = {}
local pending_timers = 0
local function start_timer(delay, fn, args, every)
  local req = { threads = {}, ctx = {}, headers = {}, vars = {}, timer = true }
  local th = spawn_thread(req, function()
    park("timer", now_ms + math.max(0, delay * 1000))
    if every then
      while true do
        local ok, err = pcall(fn, false, table.unpack(args, 1, args.n))
        if not ok then emit_log(4, "lua timer callback failed: " .. tostring(err), handler_line(2)) end
        park("timer", now_ms + math.max(0, delay * 1000))
      end
    end
    return fn(false, table.unpack(args, 1, args.n))
  end, nil, { is_timer = true })
  pending_timers = pending_timers + 1
  resume(th, { n = 0 })
  return true
end
function ngx.timer.at(delay, fn, ...)
  if type(fn) ~= "function" then error("bad argument #2 to 'at' (function expected)", 2) end
  return start_timer(tonumber(delay) or 0, fn, table.pack(...), false)
end
function ngx.timer.every(delay, fn, ...)
  if type(fn) ~= "function" then error("bad argument #2 to 'every' (function expected)", 2) end
  if (tonumber(delay) or 0) <= 0 then return nil, "bad delay" end
  return start_timer(tonumber(delay), fn, table.pack(...), true)
end
function ngx.timer.running_count() return 0 end
function ngx.timer.pending_count() return pending_timers end

ngx.worker = {
  id = function() return 0 end,
  pid = function() return host.pid end,
  count = function() return 1 end,
  exiting = function() return false end,
}

-- ngx.var: the request's variables, read through the running request.
ngx.var = setmetatable({}, {
  __index = function(_, name)
    if not current then error("API disabled in the current context", 2) end
    return current.req.vars[name]
  end,
  __newindex = function(_, name, value)
    if not current then error("API disabled in the current context", 2) end
    current.req.vars[name] = value
  end,
})
ngx.ctx = setmetatable({}, {
  __index = function(_, k) return current and current.req.ctx[k] end,
  __newindex = function(_, k, v) if current then current.req.ctx[k] = v end end,
})

local function header_table(list)
  local out = {}
  for _, pair in ipairs(list) do
    local name, value = pair[1]:lower(), pair[2]
    local old = out[name]
    if old == nil then out[name] = value
    elseif type(old) == "table" then old[#old + 1] = value
    else out[name] = { old, value } end
  end
  -- "User-Agent", "user_agent" and "user-agent" all find the header, as in ngx_lua.
  return setmetatable(out, {
    __index = function(t, k)
      if type(k) ~= "string" then return nil end
      local n = k:lower():gsub("_", "-")
      return rawget(t, n)
    end,
  })
end

ngx.req = {}
function ngx.req.get_headers() return header_table(this_request().headers) end
function ngx.req.get_method() return this_request().info.method end
function ngx.req.http_version() return 1.1 end
function ngx.req.get_uri_args()
  local out = {}
  for _, pair in ipairs(this_request().info.args) do
    local k, v = pair[1], pair[2]
    if out[k] == nil then out[k] = v
    elseif type(out[k]) == "table" then table.insert(out[k], v)
    else out[k] = { out[k], v } end
  end
  return out
end
function ngx.req.read_body() end
function ngx.req.socket() return nil, "not supported in the embedded engine (use resty.websocket.server)" end

ngx.shared = {}
function rt.declare_dict(name)
  local store = {}
  local dict = {}
  local function key_ok(k)
    if type(k) ~= "string" and type(k) ~= "number" then return false end
    return true
  end
  function dict.get(_, k) return store[k] end
  function dict.set(_, k, v) if not key_ok(k) then return nil, "bad key" end store[k] = v return true, nil, false end
  dict.safe_set = dict.set
  function dict.add(_, k, v) if store[k] ~= nil then return false, "exists", false end store[k] = v return true, nil, false end
  dict.safe_add = dict.add
  function dict.replace(_, k, v) if store[k] == nil then return false, "not found", false end store[k] = v return true, nil, false end
  function dict.delete(_, k) store[k] = nil end
  function dict.incr(_, k, value, init)
    local old = store[k]
    if old == nil then
      if init == nil then return nil, "not found" end
      old = init
    end
    if type(old) ~= "number" then return nil, "not a number" end
    store[k] = old + value
    return store[k], nil
  end
  function dict.get_keys(_, max)
    local keys = {}
    for k in pairs(store) do keys[#keys + 1] = k if max and max > 0 and #keys >= max then break end end
    return keys
  end
  function dict.flush_all() store = {} end
  function dict.lpush(_, k, v) local l = store[k] or {} if type(l) ~= "table" then return nil, "value not a list" end table.insert(l, 1, v) store[k] = l return #l end
  function dict.rpush(_, k, v) local l = store[k] or {} if type(l) ~= "table" then return nil, "value not a list" end l[#l + 1] = v store[k] = l return #l end
  function dict.lpop(_, k) local l = store[k] if not l or #l == 0 then return nil end return table.remove(l, 1) end
  function dict.rpop(_, k) local l = store[k] if not l or #l == 0 then return nil end return table.remove(l) end
  function dict.llen(_, k) local l = store[k] return l and #l or 0 end
  ngx.shared[name] = dict
end

-- ngx.re: the course uses find/match with anchored character classes; Lua patterns
-- cover those once translated. Anything beyond that says so.
ngx.re = {}
local function pcre_to_lua(re)
  local p = re:gsub("%%", "%%%%")
  p = p:gsub("\\d", "%%d"):gsub("\\w", "[%%w_]"):gsub("\\s", "%%s")
  -- {m,n} repetition: expand the preceding class
  p = p:gsub("(%b[])%{(%d+),(%d+)%}", function(class, m, n)
    m, n = tonumber(m), tonumber(n)
    return class:rep(m) .. (class .. "?"):rep(n - m)
  end)
  p = p:gsub("%-", "%%-"):gsub("%[(.-)%]", function(body) return "[" .. body:gsub("%%%-", "-") .. "]" end)
  if p:find("[|(){}]") then return nil end
  return p
end
function ngx.re.find(subject, regex)
  local p = pcre_to_lua(regex)
  if not p then return nil, nil, "regex not supported by the embedded engine: " .. regex end
  return subject:find(p)
end
function ngx.re.match(subject, regex)
  local p = pcre_to_lua(regex)
  if not p then return nil, "regex not supported by the embedded engine: " .. regex end
  local s, e = subject:find(p)
  if not s then return nil end
  return { [0] = subject:sub(s, e) }
end

function ngx.encode_base64(s)
  local b = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  return ((s:gsub(".", function(x)
    local r, v = "", x:byte()
    for i = 8, 1, -1 do r = r .. (v % 2 ^ i - v % 2 ^ (i - 1) > 0 and "1" or "0") end
    return r
  end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(x)
    if #x < 6 then return "" end
    local c = 0
    for i = 1, 6 do c = c + (x:sub(i, i) == "1" and 2 ^ (6 - i) or 0) end
    return b:sub(c + 1, c + 1)
  end) .. ({ "", "==", "=" })[#s % 3 + 1])
end

---------------------------------------------------------------------------
-- modules: resty.websocket.*, ngx.semaphore, cjson, and the course's own
---------------------------------------------------------------------------

local preload = {}
local loaded = {}
G.package = { loaded = loaded, preload = preload, path = "", cpath = "" }

local function require_(name)
  if loaded[name] ~= nil then return loaded[name] end
  local loader = preload[name]
  if not loader then
    error(format("module '%s' not found: the embedded engine offers resty.websocket.server, " ..
      "resty.websocket.protocol, ngx.semaphore, cjson, cjson.safe and the course's modules", name), 2)
  end
  local value = loader(name)
  if value == nil then value = true end
  loaded[name] = value
  return value
end
G.require = require_

-- A course module: its chunk runs once, with the worker's globals (not a request's).
function rt.add_module(name, source)
  preload[name] = function()
    local chunk, err = raw_load(source, "@" .. name .. ".lua", "t", G)
    if not chunk then error(err, 0) end
    return chunk(name)
  end
end

loaded["ngx.semaphore"] = semaphore

-- LuaJIT's `bit` library: 32-bit signed results, on Lua 5.4's integer operators.
local function tobit(x) return (((math.tointeger(x) or math.floor(x)) & 0xffffffff) ~ 0x80000000) - 0x80000000 end
loaded["bit"] = {
  tobit = tobit,
  band = function(a, ...) for i = 1, select("#", ...) do a = a & tobit((select(i, ...))) end return tobit(a) end,
  bor = function(a, ...) for i = 1, select("#", ...) do a = tobit(a) | tobit((select(i, ...))) end return tobit(a) end,
  bxor = function(a, ...) for i = 1, select("#", ...) do a = tobit(a) ~ tobit((select(i, ...))) end return tobit(a) end,
  bnot = function(a) return tobit(~tobit(a)) end,
  lshift = function(a, n) return tobit((tobit(a) & 0xffffffff) << (n & 31)) end,
  rshift = function(a, n) return tobit((tobit(a) & 0xffffffff) >> (n & 31)) end,
  arshift = function(a, n) return tobit(tobit(a) >> (n & 31) | (tobit(a) < 0 and ~(0xffffffff >> (n & 31)) or 0)) end,
  tohex = function(a, n) n = n or 8 return format("%0" .. n .. "x", tobit(a) & 0xffffffff):sub(-n) end,
}
loaded["ngx"] = ngx

-- resty.websocket.protocol, ported line for line from lua-resty-websocket 0.08
-- (bit ops and ffi buffers become Lua 5.4 operators and tables).
local protocol = {}
local types = { [0x0] = "continuation", [0x1] = "text", [0x2] = "binary", [0x8] = "close", [0x9] = "ping", [0xa] = "pong" }

local function xor_mask(data, key, offset)
  local k1, k2, k3, k4 = byte(key, 1, 4)
  local ks = { k1, k2, k3, k4 }
  local out = {}
  local n = #data
  local i = 1
  while i <= n do
    local j = math.min(i + 4095, n)
    local bytes = { byte(data, i, j) }
    for b = 1, #bytes do
      bytes[b] = bytes[b] ~ ks[(i + b - 2 + (offset or 0)) % 4 + 1]
    end
    out[#out + 1] = char(table.unpack(bytes))
    i = j + 1
  end
  return concat(out)
end

function protocol.recv_frame(sock, max_payload_len, force_masking)
  local data, err = sock:receive(2)
  if not data then
    return nil, nil, "failed to receive the first 2 bytes: " .. err
  end
  local fst, snd = byte(data, 1, 2)
  local fin = fst & 0x80 ~= 0
  if fst & 0x70 ~= 0 then return nil, nil, "bad RSV1, RSV2, or RSV3 bits" end
  local opcode = fst & 0x0f
  if opcode >= 0x3 and opcode <= 0x7 then return nil, nil, "reserved non-control frames" end
  if opcode >= 0xb and opcode <= 0xf then return nil, nil, "reserved control frames" end
  local mask = snd & 0x80 ~= 0
  if force_masking and not mask then return nil, nil, "frame unmasked" end
  local payload_len = snd & 0x7f
  if payload_len == 126 then
    local d, e = sock:receive(2)
    if not d then return nil, nil, "failed to receive the 2 byte payload length: " .. (e or "unknown") end
    payload_len = (byte(d, 1) << 8) | byte(d, 2)
  elseif payload_len == 127 then
    local d, e = sock:receive(8)
    if not d then return nil, nil, "failed to receive the 8 byte payload length: " .. (e or "unknown") end
    if byte(d, 1) ~= 0 or byte(d, 2) ~= 0 or byte(d, 3) ~= 0 or byte(d, 4) ~= 0 then
      return nil, nil, "payload len too large"
    end
    local fifth = byte(d, 5)
    if fifth & 0x80 ~= 0 then return nil, nil, "payload len too large" end
    payload_len = (fifth << 24) | (byte(d, 6) << 16) | (byte(d, 7) << 8) | byte(d, 8)
  end
  if opcode & 0x8 ~= 0 then
    if payload_len > 125 then return nil, nil, "too long payload for control frame" end
    if not fin then return nil, nil, "fragmented control frame" end
  end
  if payload_len > max_payload_len then return nil, nil, "exceeding max payload len" end
  local rest = mask and payload_len + 4 or payload_len
  if rest > 0 then
    data, err = sock:receive(rest)
    if not data then return nil, nil, "failed to read masking-len and payload: " .. (err or "unknown") end
  else
    data = ""
  end
  local msg
  if mask then
    msg = xor_mask(data:sub(5), data:sub(1, 4))
  else
    msg = data
  end
  if opcode == 0x8 then
    if payload_len > 0 then
      if payload_len < 2 then return nil, nil, "close frame with a body must carry a 2-byte status code" end
      local code = (byte(msg, 1) << 8) | byte(msg, 2)
      return msg:sub(3), "close", code
    end
    return "", "close", nil
  end
  return msg, types[opcode], not fin and "again" or nil
end

local function build_frame(fin, opcode, payload_len, payload, masking)
  local fst = fin and (0x80 | opcode) or opcode
  local snd, extra
  if payload_len <= 125 then
    snd, extra = payload_len, ""
  elseif payload_len <= 65535 then
    snd, extra = 126, char((payload_len >> 8) & 0xff, payload_len & 0xff)
  else
    if payload_len & 0x7fffffff < payload_len then return nil, "payload too big" end
    snd = 127
    extra = char(0, 0, 0, 0, (payload_len >> 24) & 0xff, (payload_len >> 16) & 0xff, (payload_len >> 8) & 0xff, payload_len & 0xff)
  end
  local key = ""
  if masking then
    snd = snd | 0x80
    local k = math.random(0, 0xffffffff)
    key = char((k >> 24) & 0xff, (k >> 16) & 0xff, (k >> 8) & 0xff, k & 0xff)
    payload = xor_mask(payload, key)
  end
  return char(fst, snd) .. extra .. key .. payload
end
protocol.build_frame = build_frame

function protocol.send_frame(sock, fin, opcode, payload, max_payload_len, masking)
  if not payload then payload = ""
  elseif type(payload) ~= "string" then payload = tostring(payload) end
  local payload_len = #payload
  if payload_len > max_payload_len then return nil, "payload too big" end
  if opcode & 0x8 ~= 0 then
    if payload_len > 125 then return nil, "too much payload for control frame" end
    if not fin then return nil, "fragmented control frame" end
  end
  local frame, err = build_frame(fin, opcode, payload_len, payload, masking)
  if not frame then return nil, "failed to build frame: " .. err end
  local bytes, e = sock:send(frame)
  if not bytes then return nil, "failed to send frame: " .. e end
  return bytes
end
protocol.new_tab = function() return {} end
loaded["resty.websocket.protocol"] = protocol

-- resty.websocket.server: the handshake happens here, as in OpenResty.
local wsserver = { _VERSION = "0.08" }
local wsmt = { __index = wsserver }

function wsserver.new(self, opts)
  local req = this_request()
  if req.upgraded then return nil, "response header already sent" end
  if not req.conn then return nil, "no request socket here (a timer has no client)" end
  local headers = header_table(req.headers)
  local function one(v) if type(v) == "table" then return v[1] end return v end
  local val = one(headers.upgrade)
  if not val or val:lower() ~= "websocket" then return nil, 'bad "upgrade" request header: ' .. tostring(val) end
  val = one(headers.connection)
  if not val or not val:lower():find("upgrade", 1, true) then return nil, 'bad "connection" request header' end
  local key = one(headers["sec-websocket-key"])
  if not key then return nil, 'bad "sec-websocket-key" request header' end
  local ver = one(headers["sec-websocket-version"])
  if not ver or ver ~= "13" then return nil, 'bad "sec-websocket-version" request header' end
  local protocols = one(headers["sec-websocket-protocol"])
  req.upgraded = true
  host.accept(req.conn, protocols or "")
  local sock = setmetatable({ req = req, buf = req.early or "", timeout = 60000, eof = req.client_gone }, Sock)
  req.early = nil
  req.sock = sock
  local max_payload_len, send_masked, timeout
  if opts then
    max_payload_len, send_masked, timeout = opts.max_payload_len, opts.send_masked, opts.timeout
    if timeout then sock:settimeout(timeout) end
  end
  return setmetatable({ sock = sock, max_payload_len = max_payload_len or 65535, send_masked = send_masked }, wsmt)
end

function wsserver.set_timeout(self, time)
  local sock = self.sock
  if not sock then return nil, nil, "not initialized yet" end
  return sock:settimeout(time)
end

function wsserver.recv_frame(self)
  if self.fatal then return nil, nil, "fatal error already happened" end
  local sock = self.sock
  if not sock then return nil, nil, "not initialized yet" end
  local data, typ, err = protocol.recv_frame(sock, self.max_payload_len, true)
  if not data and not err:find(": timeout", 1, true) then self.fatal = true end
  return data, typ, err
end

local function send_frame(self, fin, opcode, payload)
  if self.fatal then return nil, "fatal error already happened" end
  local sock = self.sock
  if not sock then return nil, "not initialized yet" end
  local bytes, err = protocol.send_frame(sock, fin, opcode, payload, self.max_payload_len, self.send_masked)
  if not bytes then self.fatal = true end
  return bytes, err
end
wsserver.send_frame = send_frame
function wsserver.send_text(self, data) return send_frame(self, true, 0x1, data) end
function wsserver.send_binary(self, data) return send_frame(self, true, 0x2, data) end
function wsserver.send_close(self, code, msg)
  local payload
  if code then
    if type(code) ~= "number" or code > 0x7fff then return nil, "bad status code" end
    payload = char((code >> 8) & 0xff, code & 0xff) .. (msg or "")
  end
  return send_frame(self, true, 0x8, payload)
end
function wsserver.send_ping(self, data) return send_frame(self, true, 0x9, data) end
function wsserver.send_pong(self, data) return send_frame(self, true, 0xa, data) end
loaded["resty.websocket.server"] = wsserver

-- cjson is written in Lua beside this file (cjson.lua) and handed in by the host.
function rt.add_builtin(name, source)
  local chunk, err = raw_load(source, "=" .. name, "t", G)
  if not chunk then error(err, 0) end
  loaded[name] = chunk(name, ngx.null)
end

---------------------------------------------------------------------------
-- the host's entry points; each returns the next deadline (ms) or -1
---------------------------------------------------------------------------

local function next_deadline()
  local best = -1
  for th in pairs(sleepers) do
    local w = th.wait
    if th.dead or not w or not w.deadline then
      sleepers[th] = nil
    elseif best < 0 or w.deadline < best then
      best = w.deadline
    end
  end
  return best
end

local function expire()
  local due = {}
  for th in pairs(sleepers) do
    local w = th.wait
    if not th.dead and w and w.deadline and w.deadline <= now_ms then due[#due + 1] = th end
  end
  -- earliest first, then by thread id, so the order does not depend on table layout
  table.sort(due, function(a, b)
    if a.wait.deadline ~= b.wait.deadline then return a.wait.deadline < b.wait.deadline end
    return a.id < b.id
  end)
  for _, th in ipairs(due) do wake(th, "timeout") end
end

local handler_chunk_source

-- Compiles the learner's handler; returns nil or (line, message).
function rt.compile(source)
  local chunk, err = raw_load(source, HANDLER, "t", {})
  if chunk then
    handler_chunk_source = source
    return nil
  end
  -- one string: the bridge keeps only the first of several results
  local line, message = err:match("^handler:(%d+): (.*)$")
  return (line or "0") .. "\t" .. (message or err)
end

function rt.request(conn, method, uri, query, headers, args)
  now_ms = host.now()
  local info = { method = method, headers = headers, args = args }
  local vars = {
    request_method = method, uri = uri, args = query ~= "" and query or nil,
    request_uri = uri .. (query ~= "" and ("?" .. query) or ""), scheme = "http",
    server_protocol = "HTTP/1.1", remote_addr = "127.0.0.1",
  }
  for _, pair in ipairs(args) do
    local name = "arg_" .. pair[1]:lower()
    if vars[name] == nil then vars[name] = pair[2] end
  end
  for _, pair in ipairs(headers) do
    local name = "http_" .. pair[1]:lower():gsub("-", "_")
    if vars[name] == nil then vars[name] = pair[2] end
  end
  vars.host = (vars.http_host or ""):gsub(":%d+$", "")
  info.vars = vars
  local req = new_request(conn, info)
  requests[conn] = req
  -- Each request runs the chunk from the top in its own global environment.
  local env = setmetatable({}, { __index = G })
  local chunk = raw_load(handler_chunk_source, HANDLER, "t", env)
  local th = spawn_thread(req, with_line(chunk), nil, { is_entry = true })
  resume(th, { n = 0 })
  run_ready()
  return next_deadline()
end

function rt.data(conn, hex)
  now_ms = host.now()
  local req = requests[conn]
  if req then
    local sock = req.sock
    if sock then
      sock.buf = sock.buf .. unhex(hex)
      if sock.reading then wake(sock.reading, "data") end
    else
      req.early = (req.early or "") .. unhex(hex)
    end
    run_ready()
  end
  return next_deadline()
end

function rt.eof(conn)
  now_ms = host.now()
  local req = requests[conn]
  if req then
    if req.sock then
      req.sock.eof = true
      if req.sock.reading then wake(req.sock.reading, "eof") end
    else
      req.client_gone = true
    end
    run_ready()
  end
  return next_deadline()
end

-- The host abandons a request (lab stopping, socket destroyed): no more callbacks for it.
function rt.abort(conn)
  local req = requests[conn]
  if req then
    req.conn_gone = true
    finish_request(req, 444)
  end
  return next_deadline()
end

function rt.tick()
  now_ms = host.now()
  expire()
  run_ready()
  return next_deadline()
end

function rt.memory() return collectgarbage("count") end

rt.G = G
rt.unhex, rt.tohex = unhex, tohex
return rt
