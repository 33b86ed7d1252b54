-- lua-cjson (OpenResty's 2.1.0 fork) in plain Lua, with the behaviour the
-- lessons can see: "/" escaped as "\/", an empty table encodes as {}, a
-- sequence as an array, cjson.null for JSON null, integers without ".0",
-- other numbers with 14 significant digits, and cjson's error messages.
-- The host loads it twice: as `cjson` (errors raise) and `cjson.safe`.
local name, null = ...
local safe = name == "cjson.safe"
local byte, char, format, concat = string.byte, string.char, string.format, table.concat
local math_type = math.type

local M = { _NAME = "cjson", _VERSION = "2.1.0.13", null = null }
M.empty_array = setmetatable({}, { __tostring = function() return "userdata: empty_array" end })
M.array_mt = { __name = "cjson.array" }
M.empty_array_mt = M.array_mt
local empty_table_as_object = true

local ESCAPES = { ['"'] = '\\"', ['\\'] = '\\\\', ['/'] = '\\/', ['\b'] = '\\b', ['\f'] = '\\f',
  ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }
for i = 0, 31 do
  local c = char(i)
  if not ESCAPES[c] then ESCAPES[c] = format("\\u%04x", i) end
end
ESCAPES[char(127)] = nil

local function encode_string(s)
  return '"' .. s:gsub('[%c"\\/]', ESCAPES) .. '"'
end

local encode_value

local function encode_table(t, depth, out)
  if depth > 1000 then error("Cannot serialise, excessive nesting (1001)", 0) end
  if t == M.empty_array then out[#out + 1] = "[]" return end
  local mt = getmetatable(t)
  local max, count, is_array = 0, 0, true
  for k in pairs(t) do
    if math_type(k) == "integer" and k > 0 then
      if k > max then max = k end
      count = count + 1
    else
      is_array = false
      break
    end
  end
  if is_array and count == 0 then
    if mt == M.array_mt or not empty_table_as_object then out[#out + 1] = "[]" else out[#out + 1] = "{}" end
    return
  end
  if is_array and max > 10 and max > count * 2 then
    error("Cannot serialise table: excessively sparse array", 0)
  end
  if is_array then
    out[#out + 1] = "["
    for i = 1, max do
      if i > 1 then out[#out + 1] = "," end
      encode_value(t[i], depth + 1, out)
    end
    out[#out + 1] = "]"
    return
  end
  out[#out + 1] = "{"
  local first = true
  for k, v in pairs(t) do
    local key
    if type(k) == "string" then key = k
    elseif type(k) == "number" then key = nil
    else error("Cannot serialise table: table key must be a number or string", 0) end
    if not first then out[#out + 1] = "," end
    first = false
    if type(k) == "number" then
      local tmp = {}
      encode_value(k, depth, tmp)
      key = concat(tmp)
    end
    out[#out + 1] = encode_string(key)
    out[#out + 1] = ":"
    encode_value(v, depth + 1, out)
  end
  out[#out + 1] = "}"
end

function encode_value(v, depth, out)
  local t = type(v)
  if v == nil or v == null then out[#out + 1] = "null"
  elseif t == "boolean" then out[#out + 1] = v and "true" or "false"
  elseif t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then
      error("Cannot serialise number: must not be NaN or Infinity", 0)
    end
    if math_type(v) == "integer" then out[#out + 1] = format("%d", v)
    elseif v == math.floor(v) and math.abs(v) < 1e14 then out[#out + 1] = format("%d", math.floor(v))
    else out[#out + 1] = format("%.14g", v) end
  elseif t == "string" then out[#out + 1] = encode_string(v)
  elseif t == "table" then encode_table(v, depth, out)
  else error("Cannot serialise " .. t .. ": type not supported", 0) end
end

local function encode(v)
  local out = {}
  encode_value(v, 0, out)
  return concat(out)
end

-- Decoding: a recursive-descent reader with cjson's messages.
local decode_value

local function fail(what, s, i)
  local found
  local c = s:sub(i, i)
  if c == "" then found = "the end"
  elseif c == "," then found = "comma"
  elseif c == ":" then found = "colon"
  elseif c == "]" then found = "array end"
  elseif c == "}" then found = "object end"
  elseif c == "{" then found = "object start"
  elseif c == "[" then found = "array start"
  elseif c == '"' then found = "string"
  elseif c:match("[%d%-]") then found = "number"
  else found = "invalid token" end
  error(format("Expected %s but found %s at character %d", what, found, i), 0)
end

local function skip(s, i)
  local _, e = s:find("^[ \t\r\n]*", i)
  return e + 1
end

local UNESC = { ['"'] = '"', ['\\'] = '\\', ['/'] = '/', b = '\b', f = '\f', n = '\n', r = '\r', t = '\t' }

local function utf8_of(cp) return utf8.char(cp) end

local function decode_string(s, i)
  local out = {}
  local j = i + 1
  while true do
    local a, b = s:find('^[^"\\%c]+', j)
    if a then out[#out + 1] = s:sub(a, b) j = b + 1 end
    local c = s:sub(j, j)
    if c == '"' then return concat(out), j + 1 end
    if c == "" then error(format("Expected object key string but found invalid token at character %d", i), 0) end
    if c == "\\" then
      local e = s:sub(j + 1, j + 1)
      if UNESC[e] then out[#out + 1] = UNESC[e] j = j + 2
      elseif e == "u" then
        local hex = s:match("^%x%x%x%x", j + 2)
        if not hex then error(format("Expected value but found invalid unicode escape code at character %d", j), 0) end
        local cp = tonumber(hex, 16)
        j = j + 6
        if cp >= 0xD800 and cp <= 0xDBFF then
          local lo = s:match("^\\u(%x%x%x%x)", j)
          if lo then
            cp = 0x10000 + (cp - 0xD800) * 0x400 + (tonumber(lo, 16) - 0xDC00)
            j = j + 6
          end
        end
        out[#out + 1] = utf8_of(cp)
      else
        error(format("Expected value but found invalid escape code at character %d", j), 0)
      end
    else
      error(format("Expected value but found invalid token at character %d", j), 0)
    end
  end
end

function decode_value(s, i, depth)
  if depth > 1000 then error(format("Found too many nested data structures (1001) at character %d", i), 0) end
  i = skip(s, i)
  local c = s:sub(i, i)
  if c == "{" then
    local obj = {}
    i = skip(s, i + 1)
    if s:sub(i, i) == "}" then return obj, i + 1 end
    while true do
      i = skip(s, i)
      if s:sub(i, i) ~= '"' then fail("object key string", s, i) end
      local key
      key, i = decode_string(s, i)
      i = skip(s, i)
      if s:sub(i, i) ~= ":" then fail("colon", s, i) end
      obj[key], i = decode_value(s, i + 1, depth + 1)
      i = skip(s, i)
      local d = s:sub(i, i)
      if d == "}" then return obj, i + 1 end
      if d ~= "," then fail("comma or object end", s, i) end
      i = i + 1
    end
  elseif c == "[" then
    local arr = {}
    i = skip(s, i + 1)
    if s:sub(i, i) == "]" then return arr, i + 1 end
    local n = 0
    while true do
      n = n + 1
      arr[n], i = decode_value(s, i, depth + 1)
      i = skip(s, i)
      local d = s:sub(i, i)
      if d == "]" then return arr, i + 1 end
      if d ~= "," then fail("comma or array end", s, i) end
      i = i + 1
    end
  elseif c == '"' then
    return decode_string(s, i)
  elseif s:find("^true", i) then return true, i + 4
  elseif s:find("^false", i) then return false, i + 5
  elseif s:find("^null", i) then return null, i + 4
  else
    local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", i)
    if num and num ~= "" and num ~= "-" then
      local v = tonumber(num)
      if v == nil then fail("value", s, i) end
      if math_type(v) == "float" and v == math.floor(v) and not num:find("[.eE]") then v = math.tointeger(v) or v end
      return v, i + #num
    end
    fail("value", s, i)
  end
end

local function decode(s)
  if type(s) ~= "string" then error("bad argument #1 to 'decode' (string expected, got " .. type(s) .. ")", 0) end
  local v, i = decode_value(s, 1, 0)
  i = skip(s, i)
  if i <= #s then fail("the end", s, i) end
  return v
end

if safe then
  M.encode = function(v)
    local ok, r = pcall(encode, v)
    if ok then return r end
    return nil, r
  end
  M.decode = function(s)
    local ok, r = pcall(decode, s)
    if ok then return r end
    return nil, r
  end
else
  M.encode, M.decode = encode, decode
end

function M.encode_empty_table_as_object(on) empty_table_as_object = on ~= false end
function M.encode_escape_forward_slash() end
function M.encode_sparse_array() end
function M.encode_max_depth() end
function M.decode_max_depth() end
function M.encode_number_precision() end
function M.new() return M end
return M
