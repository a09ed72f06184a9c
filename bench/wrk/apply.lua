-- wrk script for bench/server_bench.sh (c): a rush of voucher applications.
-- Each thread sends exactly CL_PER_THREAD applications with distinct valid
-- SNILS numbers (thread i uses the numbers from 100000000 + i * 10000000),
-- then only cheap GET /healthz until the script stops wrk.
-- Environment: CL_PER_THREAD.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local per_thread = tonumber(os.getenv("CL_PER_THREAD"))
local hdr = {["Content-Type"] = "application/json"}
sent, created, errors, other = 0, 0, 0, 0
local first_error = nil

-- wrk 4.1 calls thread 0's request() once before the run (to check for
-- pipelining) and never sends that request: answer it without counting.
local checked = false

function request()
  if id == 0 and not checked then
    checked = true
    return wrk.format("GET", "/healthz")
  end
  if sent >= per_thread then
    return wrk.format("GET", "/healthz")
  end
  local n = 100000000 + id * 10000000 + sent
  sent = sent + 1
  local body = '{"full_name":"Заявитель Тестовый","birth_date":"1988-05-20","sex":"male",' ..
      '"citizenship":"RU","education_level":"secondary-vocational","region_code":"66",' ..
      '"registration_type":"temporary","email":"applicant@example.ru",' ..
      '"phone":"+79120000000","snils":"' .. snils(n) .. '","issuer":"demo","programme":"DA-101"}'
  return wrk.format("POST", "/api/v1/applications", hdr, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  elseif status == 200 then
    if body:find("snils") then other = other + 1 end  -- not /healthz
  else
    errors = errors + 1
    if not first_error then
      first_error = body
      io.stderr:write("first error (" .. status .. "): " .. body:sub(1, 300) .. "\n")
    end
  end
end

function done(summary, latency, requests)
  io.write(string.format("CREATED %d ERRORS %d OTHER %d SENT %d\n", total("created"),
                         total("errors"), total("other"), total("sent")))
end
