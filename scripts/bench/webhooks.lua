-- wrk script for bench-webhooks: posts pre-signed webhook bodies, one picked at random
-- per request, from the file named by BODIES (lines of "<signature>\t<body>").
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

function request()
  local i = math.random(#bodies)
  return wrk.format("POST", "/webhook", {
    ["Content-Type"] = "application/json",
    ["X-Hub-Signature-256"] = sigs[i],
  }, bodies[i])
end
