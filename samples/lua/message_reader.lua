-- wb:recv_frame() hands over frames, and a message may span several: a
-- "text" or "binary" frame with err == "again", then "continuation" frames,
-- the last one without "again". reader(wb, max_len) returns a function that
-- reads like recv_frame but gives text and binary messages back whole.
-- Control frames, which may arrive between fragments, come back as they
-- are, and so do errors and timeouts: a message half-read when a timeout
-- fires between two of its frames is kept, and the next call goes on with it.
local _M = {}

-- The one timeout a reader may shrug off. recv_frame reads a frame in steps
-- (2 header bytes, the extended length, mask and payload); a timeout on the
-- first step consumed nothing, so the next call starts cleanly on a frame.
-- A timeout on a later step has eaten part of a frame: reading on would take
-- the rest of it for a new header, so that connection is beyond saving.
local IDLE = "failed to receive the first 2 bytes: timeout"

function _M.is_idle(err)
  return err == IDLE
end

function _M.reader(wb, max_len)
  local parts, parts_type, total

  return function()
    while true do
      local data, typ, err = wb:recv_frame()
      if not data then
        return nil, typ, err

      elseif typ == "text" or typ == "binary" then
        if err ~= "again" then
          return data, typ, err
        end
        parts, parts_type, total = { data }, typ, #data

      elseif typ == "continuation" then
        if not parts then
          return nil, nil, "continuation frame without a first fragment"
        end
        -- recv_frame checks each frame against max_payload_len; the whole
        -- message needs the same limit, or many small frames add up to any size.
        total = total + #data
        if total > max_len then
          parts = nil
          return nil, nil, "message too large"
        end
        parts[#parts + 1] = data
        if err ~= "again" then
          local whole = table.concat(parts)
          parts = nil
          return whole, parts_type
        end

      else
        return data, typ, err
      end
    end
  end
end

return _M
