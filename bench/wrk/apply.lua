-- wrk script for bench/server_bench.sh (c): a rush of voucher applications.
-- Each thread sends exactly CL_PER_THREAD applications with distinct valid
-- SNILS numbers (thread i uses the numbers from 100000000 + i * 10000000),
-- then only cheap GET /healthz until the script stops wrk.
-- Environment: CL_PER_THREAD.
local threads = {}
local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local per_thread = tonumber(os.getenv("CL_PER_THREAD"))
local hdr = {["Content-Type"] = "application/json"}
sent, created, errors, other = 0, 0, 0, 0
local first_error = nil

-- "NNN-NNN-NNN CC": S = sum of d_i * (9 - i); control S below 100, 00 for
-- 100 and 101, else S mod 101 (100 -> 00).
local function snils(n)
  local s = string.format("%09d", n)
  local sum = 0
  for i = 1, 9 do
    sum = sum + tonumber(s:sub(i, i)) * (10 - i)
  end
  local c
  if sum < 100 then c = sum
  elseif sum == 100 or sum == 101 then c = 0
  else c = sum % 101; if c == 100 then c = 0 end end
  return string.format("%s-%s-%s %02d", s:sub(1, 3), s:sub(4, 6), s:sub(7, 9), c)
end

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
  local c, e, o, s = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    e = e + t:get("errors")
    o = o + t:get("other")
    s = s + t:get("sent")
  end
  io.write(string.format("CREATED %d ERRORS %d OTHER %d SENT %d\n", c, e, o, s))
end
