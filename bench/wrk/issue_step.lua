-- wrk script for bench/server_bench.sh (b1): durable single-certificate
-- issuance. Every connection issues drafts prepared by lifecycle.lua with
-- CL_CODES (read from $CL_CODES.<thread id>), one
-- POST /api/v1/certificates/<code>/issue each:
-- sign, log in the ledger, publish, one durable transaction per certificate.
-- A thread that runs out of drafts asks for /healthz and counts it in
-- `starved` (then the rate is a lower bound: prepare more).
-- Environment: CL_PROVIDER_TOKEN, CL_CODES.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local bare = {["Authorization"] = "Bearer " .. os.getenv("CL_PROVIDER_TOKEN")}
local codes = nil
local next_code = 1
issued, errors, starved = 0, 0, 0

function request()
  if not codes then
    codes = {}
    local f = io.open(os.getenv("CL_CODES") .. "." .. id, "r")
    if f then
      for line in f:lines() do codes[#codes + 1] = line end
      f:close()
    end
  end
  local code = codes[next_code]
  if not code then
    return wrk.format("GET", "/healthz")
  end
  next_code = next_code + 1
  return wrk.format("POST", "/api/v1/certificates/" .. code .. "/issue", bare, "")
end

function response(status, headers, body)
  if not body:find('"code"') then
    if status == 200 then starved = starved + 1; return end
  end
  if status ~= 200 then
    if errors == 0 then
      io.stderr:write("first error (" .. status .. "): " .. body:sub(1, 300) .. "\n")
    end
    errors = errors + 1
  elseif body:find('"state"%s*:%s*"issued"') then
    issued = issued + 1
  else
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  io.write(string.format("ISSUED %d ERRORS %d STARVED %d SECONDS %.3f\n", total("issued"),
                         total("errors"), total("starved"), summary.duration / 1e6))
end
