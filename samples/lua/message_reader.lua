-- wb:recv_frame() hands over frames, and a message may span several: a
-- "text" or "binary" frame with err == "again", then "continuation" frames,
-- the last one without "again". reader(wb, max_len) returns a function that
-- reads like recv_frame but gives text and binary messages back whole.
-- Control frames, which may arrive between fragments, come back as they
-- are, and so do errors and timeouts: a message half-read when a timeout
-- fires is kept, and the next call goes on with it.
local _M = {}

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
