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

-- As in nginx, one timeout for reads and sends; settimeouts sets them apart.
function Sock:settimeout(ms)
  cosocket_guard(self)
  self.timeout = tonumber(ms) or self.timeout
  self.send_timeout = tonumber(ms) or self.send_timeout
end

function Sock:settimeouts(_, send, read)
  cosocket_guard(self)
  self.timeout = tonumber(read) or self.timeout
  self.send_timeout = tonumber(send) or self.send_timeout
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
    if why == "timeout" then
      -- lua_socket_log_errors is on by default: nginx logs every cosocket read timeout at [error].
      emit_log(4, "lua tcp socket read timed out", nil)
      return nil, "timeout", ""
    end
  end
end

-- The host holds what the client has not taken yet, up to what a socket buffer would; past that
-- (host.send says so) the sender waits until the client reads, as nginx's send waits on a full
-- socket buffer: a client that does not read holds up its handler, and its send times out.
function Sock:send(data)
  cosocket_guard(self)
  if self.closed or self.eof then return nil, "closed" end
  if self.writing then return nil, "socket busy writing" end
  if type(data) == "table" then data = concat(data) end
  data = tostring(data)
  if host.send(self.req.conn, tohex(data)) then
    self.writing = current
    local timeout = self.send_timeout
    local why = park("send", timeout and timeout > 0 and (now_ms + timeout) or nil)
    self.writing = nil
    if why == "timeout" then
      -- lua_socket_log_errors is on by default: nginx logs every cosocket write timeout at [error].
      emit_log(4, "lua tcp socket write timed out", nil)
      return nil, "timeout"
    end
    if why == "closed" then return nil, "closed" end
  end
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
  -- As lua-nginx-module does: a line logged from inside a named Lua function starts with "name(): ".
  local caller = getinfo(2, "Sn")
  local prefix = caller and caller.what == "Lua" and caller.namewhat ~= "" and caller.name and (caller.name .. "(): ") or ""
  emit_log(level, prefix .. log_text(...), handler_line(2))
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

-- resty.websocket.protocol and resty.websocket.server.
-- This runtime's own implementation of lua-resty-websocket's interface and behaviour: the same
-- module names, functions and arguments, the same `data, typ, err` return values and the same
-- error strings, so code written for OpenResty runs here unchanged and a lab's output matches
-- what real nginx prints (test/integration/labs/differential.test.ts compares the two).
-- The error strings are the library's interface, not ours to reword: lessons quote them and
-- learners' code matches on them (": timeout" above all).
local protocol = {}

local OPCODE_NAME = { [0x0] = "continuation", [0x1] = "text", [0x2] = "binary", [0x8] = "close", [0x9] = "ping", [0xa] = "pong" }
local CONTROL_BIT = 0x8           -- opcodes 0x8-0xf are control frames (RFC 6455 §5.5)
local LEN7_MAX = 125              -- the largest length the 7-bit field holds by itself
local MAX_CONTROL_PAYLOAD = LEN7_MAX  -- control frames must not need an extended length (RFC 6455 §5.5)
local LEN16, LEN64 = 126, 127     -- 7-bit length values that announce an extended length

-- Two bytes, big-endian. Masked by hand rather than string.pack(">I2") because send_close feeds
-- it whatever number the caller passed: the library wraps an out-of-range code, it does not raise.
local function u16(n) return char((n >> 8) & 0xff, n & 0xff) end

-- RFC 6455 §5.3: payload byte i is XORed with key byte i mod 4; the same call masks and unmasks.
-- It works in slices because string.byte/char take their bytes as call arguments, and a
-- megabyte frame would not fit on the stack; the slice size is a multiple of 4 so each slice
-- starts again at the key's first byte.
local MASK_SLICE = 4096
local function apply_mask(payload, key)
  local k = { byte(key, 1, 4) }
  local pieces = {}
  for first = 1, #payload, MASK_SLICE do
    local slice = { byte(payload, first, first + MASK_SLICE - 1) }
    for i = 1, #slice do slice[i] = slice[i] ~ k[(i - 1) % 4 + 1] end
    pieces[#pieces + 1] = char(table.unpack(slice))
  end
  return concat(pieces)
end

-- The first two header bytes, or the reason the frame is refused before any length is read.
local function parse_header(two, force_masking)
  local b1, b2 = byte(two, 1, 2)
  if b1 & 0x70 ~= 0 then return nil, "bad RSV1, RSV2, or RSV3 bits" end  -- no extension was negotiated
  local opcode = b1 & 0x0f
  if not OPCODE_NAME[opcode] then
    return nil, opcode & CONTROL_BIT == 0 and "reserved non-control frames" or "reserved control frames"
  end
  local masked = b2 & 0x80 ~= 0
  -- A server must refuse an unmasked client frame (RFC 6455 §5.1).
  if force_masking and not masked then return nil, "frame unmasked" end
  return { fin = b1 & 0x80 ~= 0, opcode = opcode, masked = masked, len7 = b2 & 0x7f }
end

-- The payload length: the 7-bit value itself, or the 16- or 64-bit one that follows it.
local function read_length(sock, len7)
  if len7 == LEN16 then
    local bytes, err = sock:receive(2)
    if not bytes then return nil, "failed to receive the 2 byte payload length: " .. (err or "unknown") end
    return (string.unpack(">I2", bytes))
  elseif len7 == LEN64 then
    local bytes, err = sock:receive(8)
    if not bytes then return nil, "failed to receive the 8 byte payload length: " .. (err or "unknown") end
    -- Only lengths below 2^31 are accepted, as the library (built for LuaJIT's 32-bit bit ops) does.
    local high, low = string.unpack(">I4I4", bytes)
    if high ~= 0 or low >= 0x80000000 then return nil, "payload len too large" end
    return low
  end
  return len7
end

-- The close frame's body is an optional 2-byte status code and a reason (RFC 6455 §5.5.1).
local function close_result(body)
  if #body == 0 then return "", "close", nil end
  if #body < 2 then return nil, nil, "close frame with a body must carry a 2-byte status code" end
  return body:sub(3), "close", (string.unpack(">I2", body))
end

function protocol.recv_frame(sock, max_payload_len, force_masking)
  local two, err = sock:receive(2)
  if not two then return nil, nil, "failed to receive the first 2 bytes: " .. (err or "unknown") end
  local head, refused = parse_header(two, force_masking)
  if not head then return nil, nil, refused end

  local len, len_err = read_length(sock, head.len7)
  if not len then return nil, nil, len_err end
  if head.opcode & CONTROL_BIT ~= 0 then
    if len > MAX_CONTROL_PAYLOAD then return nil, nil, "too long payload for control frame" end
    if not head.fin then return nil, nil, "fragmented control frame" end
  end
  if len > max_payload_len then return nil, nil, "exceeding max payload len" end

  -- The masking key and the payload come in one read: a frame is taken whole or not at all.
  local want = head.masked and len + 4 or len
  local rest = ""
  if want > 0 then
    rest, err = sock:receive(want)
    if not rest then return nil, nil, "failed to read masking-len and payload: " .. (err or "unknown") end
  end
  local payload = head.masked and apply_mask(rest:sub(5), rest:sub(1, 4)) or rest

  if head.opcode == 0x8 then return close_result(payload) end
  -- A fragment other than the last says "again"; the caller keeps reading to assemble the message.
  return payload, OPCODE_NAME[head.opcode], (not head.fin) and "again" or nil
end

-- One frame as a string. Callers have checked the payload against their limits already; the
-- one refusal here is a length the 64-bit form could carry but the library would not send.
local function build_frame(fin, opcode, payload_len, payload, masking)
  local len_field
  if payload_len <= LEN7_MAX then
    len_field = char(payload_len)
  elseif payload_len <= 0xffff then
    len_field = char(LEN16) .. u16(payload_len)
  elseif payload_len <= 0x7fffffff then
    len_field = char(LEN64) .. string.pack(">I8", payload_len)
  else
    return nil, "payload too big"
  end
  local key = ""
  if masking then
    -- The mask bit shares a byte with the 7-bit length.
    len_field = char(byte(len_field, 1) | 0x80) .. len_field:sub(2)
    key = string.pack(">I4", math.random(0, 0xffffffff))
    payload = apply_mask(payload, key)
  end
  return char((fin and 0x80 or 0) | opcode) .. len_field .. key .. payload
end
protocol.build_frame = build_frame

function protocol.send_frame(sock, fin, opcode, payload, max_payload_len, masking)
  payload = payload and tostring(payload) or ""   -- nil (and false) send an empty payload
  local len = #payload
  if len > max_payload_len then return nil, "payload too big" end
  if opcode & CONTROL_BIT ~= 0 then
    if len > MAX_CONTROL_PAYLOAD then return nil, "too much payload for control frame" end
    if not fin then return nil, "fragmented control frame" end
  end
  local frame, why = build_frame(fin, opcode, len, payload, masking)
  if not frame then return nil, "failed to build frame: " .. why end
  local sent, err = sock:send(frame)
  if not sent then return nil, "failed to send frame: " .. err end
  return sent
end
protocol.new_tab = function() return {} end
loaded["resty.websocket.protocol"] = protocol

-- resty.websocket.server: new() does the handshake on the request's connection, as in OpenResty.
local wsserver = { _VERSION = "0.08" }
local wsmt = { __index = wsserver }

-- A header sent twice arrives as a list; like the library, look at the first.
local function first_header(headers, name)
  local v = headers[name]
  if type(v) == "table" then return v[1] end
  return v
end

-- Why the request is not a WebSocket upgrade, or nil when it is one.
local function handshake_problem(headers)
  local upgrade = first_header(headers, "upgrade")
  if not upgrade or upgrade:lower() ~= "websocket" then return 'bad "upgrade" request header: ' .. tostring(upgrade) end
  local connection = first_header(headers, "connection")
  if not connection or not connection:lower():find("upgrade", 1, true) then return 'bad "connection" request header' end
  if not first_header(headers, "sec-websocket-key") then return 'bad "sec-websocket-key" request header' end
  if first_header(headers, "sec-websocket-version") ~= "13" then return 'bad "sec-websocket-version" request header' end
  return nil
end

function wsserver.new(self, opts)
  local req = this_request()
  if req.upgraded then return nil, "response header already sent" end
  if not req.conn then return nil, "no request socket here (a timer has no client)" end
  local headers = header_table(req.headers)
  local problem = handshake_problem(headers)
  if problem then return nil, problem end

  -- The host writes the 101 response; the subprotocol header is echoed whole, not chosen from.
  req.upgraded = true
  host.accept(req.conn, first_header(headers, "sec-websocket-protocol") or "")
  -- Bytes that came in behind the handshake belong to the first frame.
  local sock = setmetatable({ req = req, buf = req.early or "", timeout = 60000, send_timeout = 60000, eof = req.client_gone }, Sock)
  req.early = nil
  req.sock = sock
  opts = opts or {}
  if opts.timeout then sock:settimeout(opts.timeout) end
  return setmetatable({ sock = sock, max_payload_len = opts.max_payload_len or 65535, send_masked = opts.send_masked }, wsmt)
end

function wsserver.set_timeout(self, time)
  if not self.sock then return nil, nil, "not initialized yet" end
  return self.sock:settimeout(time)
end

-- After a broken frame the stream cannot be resynchronised, so the object stops: every later
-- call reports "fatal error already happened". A read timeout is the one error that leaves it
-- usable, since no bytes of a frame were consumed.
function wsserver.recv_frame(self)
  if self.fatal then return nil, nil, "fatal error already happened" end
  if not self.sock then return nil, nil, "not initialized yet" end
  local data, typ, err = protocol.recv_frame(self.sock, self.max_payload_len, true)
  if data == nil and not err:find(": timeout", 1, true) then self.fatal = true end
  return data, typ, err
end

-- Any failed send is fatal, a refused payload as much as a broken pipe, as in the library.
-- A local, so the senders below keep working if code replaces the module's send_frame field.
local function send_frame(self, fin, opcode, payload)
  if self.fatal then return nil, "fatal error already happened" end
  if not self.sock then return nil, "not initialized yet" end
  local sent, err = protocol.send_frame(self.sock, fin, opcode, payload, self.max_payload_len, self.send_masked)
  if not sent then self.fatal = true end
  return sent, err
end
wsserver.send_frame = send_frame

-- The one-frame senders: each a whole (FIN) message of its opcode.
local function sender(opcode)
  return function(self, data) return send_frame(self, true, opcode, data) end
end
wsserver.send_text = sender(0x1)
wsserver.send_binary = sender(0x2)
wsserver.send_ping = sender(0x9)
wsserver.send_pong = sender(0xa)

-- No code means an empty close body; a code that is not a number is refused before anything is
-- sent, so the object stays usable.
function wsserver.send_close(self, code, msg)
  local body
  if code then
    if type(code) ~= "number" or code > 0x7fff then return nil, "bad status code" end
    body = u16(code) .. (msg or "")
  end
  return send_frame(self, true, 0x8, body)
end
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
      if req.sock.writing then wake(req.sock.writing, "closed") end
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

-- The client took enough of what was sent: a send waiting on it goes on.
function rt.writable(conn)
  now_ms = host.now()
  local req = requests[conn]
  if req and req.sock and req.sock.writing then
    wake(req.sock.writing, "sent")
    run_ready()
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
