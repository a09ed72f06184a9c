-- Shared by the wrk scripts of bench/server_bench.sh (loaded with dofile).

-- Numbers each wrk thread (the global `id` of its script) and keeps them in
-- `threads` for done().
threads = {}
local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- A valid SNILS for the nine-digit number n, "NNN-NNN-NNN CC": S = sum of
-- d_i * (9 - i); control S below 100, 00 for 100 and 101, else S mod 101
-- (100 -> 00).
function snils(n)
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

-- The JSON body of a certificate draft of programme DA-101 for `learner`
-- (a SNILS), named `name`, scored `points`, in the year CL_YEAR.
function draft_body(name, learner, points, share)
  local year = os.getenv("CL_YEAR")
  return '{"programme":"DA-101","learner_name":"' .. name .. '","learner_id":"' .. learner ..
      '","period_start":"' .. year .. '-09-01","period_end":"' .. year .. '-11-20",' ..
      '"points":' .. points .. ',"identity_share":' .. share ..
      ',"identity_method":"online-proctoring"}'
end

-- The sum over wrk's threads of the global `name` of each thread's script.
function total(name)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get(name) end
  return n
end
