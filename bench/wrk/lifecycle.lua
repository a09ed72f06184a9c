-- wrk script for bench/server_bench.sh (b2): the whole certificate lifecycle.
-- Every connection walks create draft -> confirm name -> issue; the
-- answer to each step says what to send next (wrk calls request() for a
-- connection right after response() handled its previous answer).
-- Environment: CL_PROVIDER_TOKEN, CL_YEAR.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

-- A distinct learner per certificate (one certificate per learner, programme
-- and period): SNILS numbers from 200000000 + thread * 10000000.

local hdr = {
  ["Authorization"] = "Bearer " .. os.getenv("CL_PROVIDER_TOKEN"),
  ["Content-Type"] = "application/json",
}
-- The confirm and issue steps take no body.
local bare = {["Authorization"] = hdr["Authorization"]}
local learners = 0
local next_step = {}
issued, drafts, errors = 0, 0, 0

function request()
  local step = table.remove(next_step)
  if step then
    return wrk.format("POST", step, bare, "")
  end
  learners = learners + 1
  local learner = snils(200000000 + id * 10000000 + learners)
  return wrk.format("POST", "/api/v1/certificates", hdr,
                    draft_body("Иванов Иван Иванович", learner, 88, 0.4))
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
  local state = body:match('"state"%s*:%s*"([^"]+)"')
  if state == "issued" then
    issued = issued + 1
  elseif state == "draft" and code then
    if body:find('"nameConfirmed"%s*:%s*true') then
      table.insert(next_step, "/api/v1/certificates/" .. code .. "/issue")
    else
      drafts = drafts + 1
      table.insert(next_step, "/api/v1/certificates/" .. code .. "/confirm-name")
    end
  else
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  io.write(string.format("ISSUED %d DRAFTS %d ERRORS %d SECONDS %.3f\n", total("issued"),
                         total("drafts"), total("errors"), summary.duration / 1e6))
end
