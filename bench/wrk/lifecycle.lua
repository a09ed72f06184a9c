-- wrk script for bench/server_bench.sh (b2): the whole certificate lifecycle.
-- Every connection walks create draft -> confirm name -> issue; the answer to
-- each step says what to send next (wrk calls request() for a connection
-- right after response() handled its previous answer).
-- With CL_CODES set it prepares (b1) instead: it stops after the name is
-- confirmed (as the learner would, days before the provider issues) and
-- writes the code of each confirmed draft to $CL_CODES.<thread id> for
-- issue_step.lua.
-- Environment: CL_PROVIDER_TOKEN, CL_YEAR, CL_CODES (optional).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local hdr = {
  ["Authorization"] = "Bearer " .. os.getenv("CL_PROVIDER_TOKEN"),
  ["Content-Type"] = "application/json",
}
-- The confirm and issue steps take no body.
local bare = {["Authorization"] = hdr["Authorization"]}
local codes_file = os.getenv("CL_CODES")
local out = nil
-- A distinct learner per certificate (one certificate per learner, programme
-- and period): SNILS numbers from <base> + thread * 10000000, the bases apart.
local snils_base = codes_file and 500000000 or 200000000
local learners = 0
local next_step = {}
issued, prepared, drafts, errors = 0, 0, 0, 0

function request()
  local step = table.remove(next_step)
  if step then
    return wrk.format("POST", step, bare, "")
  end
  learners = learners + 1
  local learner = snils(snils_base + id * 10000000 + learners)
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
    if not body:find('"nameConfirmed"%s*:%s*true') then
      drafts = drafts + 1
      table.insert(next_step, "/api/v1/certificates/" .. code .. "/confirm-name")
    elseif codes_file then
      if not out then out = assert(io.open(codes_file .. "." .. id, "w")) end
      out:write(code, "\n")
      out:flush()
      prepared = prepared + 1
    else
      table.insert(next_step, "/api/v1/certificates/" .. code .. "/issue")
    end
  else
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  io.write(string.format("ISSUED %d PREPARED %d DRAFTS %d ERRORS %d SECONDS %.3f\n",
                         total("issued"), total("prepared"), total("drafts"), total("errors"),
                         summary.duration / 1e6))
end
