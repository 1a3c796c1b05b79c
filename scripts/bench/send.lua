-- wrk script for bench-send: POSTs one text send per request with the API key in TOKEN.
-- With RATE set, requests leave on a fixed schedule of RATE per second shared by all
-- connections (the clock is read through LuaJIT's FFI), so the offered load does not
-- depend on how fast the server answers; a server that cannot keep up shows as a lower
-- Requests/sec once every connection is waiting. RATE=0 sends as fast as answers come.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local rate = tonumber(os.getenv("RATE") or "0")
local interval = rate > 0 and 1000 / rate or 0
local next_slot = nil
local token = os.getenv("TOKEN")
local path = os.getenv("SEND_PATH")
local body = '{"messaging_product":"whatsapp","to":"16505551234","type":"text","text":{"body":"Your order has shipped"}}'

function request()
  return wrk.format("POST", path, { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end

function delay()
  if interval == 0 then return 0 end
  local now = now_ms()
  if next_slot == nil then next_slot = now end
  local wait = next_slot - now
  next_slot = next_slot + interval
  if wait <= 0 then return 0 end
  return math.floor(wait)
end
