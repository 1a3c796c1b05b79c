-- wrk script for bench-webhooks: posts pre-signed webhook bodies, one picked at random
-- per request (or in turn with SEQ=1), from the file named by BODIES (lines of "<signature>\t<body>").
local bodies = {}
local sigs = {}

local function load()
  local path = os.getenv("BODIES")
  for line in io.lines(path) do
    local tab = string.find(line, "\t", 1, true)
    sigs[#sigs + 1] = string.sub(line, 1, tab - 1)
    bodies[#bodies + 1] = string.sub(line, tab + 1)
  end
end

function init(args)
  load()
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

-- SEQ=1: each body in turn, once (wrap around at the end), instead of one at random.
local seq = os.getenv("SEQ") ~= nil
local next_i = 0

function request()
  local i
  if seq then
    next_i = next_i % #bodies + 1
    i = next_i
  else
    i = math.random(#bodies)
  end
  return wrk.format("POST", "/webhook", {
    ["Content-Type"] = "application/json",
    ["X-Hub-Signature-256"] = sigs[i],
  }, bodies[i])
end
