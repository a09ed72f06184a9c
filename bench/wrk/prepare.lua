-- wrk script for bench/server_bench.sh (b1), first half: drafts ready to
-- issue. Every connection creates a draft, then confirms the learner's name
-- (as the learner would, days before the provider issues), and writes the
-- code of each confirmed draft to $CL_CODES.<thread id> for issue_step.lua.
-- Environment: CL_PROVIDER_TOKEN, CL_YEAR, CL_CODES.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local hdr = {
  ["Authorization"] = "Bearer " .. os.getenv("CL_PROVIDER_TOKEN"),
  ["Content-Type"] = "application/json",
}
local bare = {["Authorization"] = hdr["Authorization"]}
local learners = 0
local next_step = {}
local out = nil
prepared, errors = 0, 0

function request()
  local step = table.remove(next_step)
  if step then
    return wrk.format("POST", step, bare, "")
  end
  learners = learners + 1
  -- SNILS numbers from 500000000 + thread * 10000000: not the lifecycle's.
  local learner = snils(500000000 + id * 10000000 + learners)
  return wrk.format("POST", "/api/v1/certificates", hdr,
                    draft_body("Петров Пётр Петрович", learner, 91, 0.5))
end

function response(status, headers, body)
  if status ~= 200 and status ~= 201 then
    if errors == 0 then
      io.stderr:write("first error (" .. status .. "): " .. body:sub(1, 300) .. "\n")
    end
    errors = errors + 1
    return
  end
  local code = body:match('"code"%s*:%s*"([^"]+)"')
  if not code then
    errors = errors + 1
  elseif body:find('"nameConfirmed"%s*:%s*true') then
    if not out then out = assert(io.open(os.getenv("CL_CODES") .. "." .. id, "w")) end
    out:write(code, "\n")
    out:flush()
    prepared = prepared + 1
  else
    table.insert(next_step, "/api/v1/certificates/" .. code .. "/confirm-name")
  end
end

function done(summary, latency, requests)
  io.write(string.format("PREPARED %d ERRORS %d SECONDS %.3f\n", total("prepared"),
                         total("errors"), summary.duration / 1e6))
end
