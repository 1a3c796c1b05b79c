-- wrk script for bench-send: POSTs one text send per request with the API key in TOKEN,
-- pacing each connection by DELAY_MS between requests (an approximately fixed rate:
-- connections / delay, when the latency is small against the delay).
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
local token = os.getenv("TOKEN")
local path = os.getenv("SEND_PATH")
local body = '{"messaging_product":"whatsapp","to":"16505551234","type":"text","text":{"body":"Your order has shipped"}}'

function request()
  return wrk.format("POST", path, { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end

function delay()
  return delay_ms
end
