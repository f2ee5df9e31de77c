-- load.lua: the wrk script of bench/server/run.sh. Environment:
--   MN_BODIES   file of request bodies, one per line (claims, or one CDS
--               Hooks request)
--   MN_PATH     the path to POST to (/v1/check, /cds-services/...)
--   MN_BAD      file of malformed bodies; every 10th request is one
--   MN_TOKENS   file of JWTs, one per request (each used once)
--   MN_DELAY_MS pause of each connection between requests (the fixed
--               offered load); 0: as fast as possible
-- At the end: requests sent good/malformed, responses by status, and
-- whether any good request failed.
local bodies, bad, tokens = {}, {}, {}
local path = os.getenv("MN_PATH") or "/v1/check"
local delay_ms = tonumber(os.getenv("MN_DELAY_MS") or "0")
local threads = {}

local function lines(file)
  local t = {}
  if not file or file == "" then return t end
  for l in io.lines(file) do if l ~= "" then t[#t + 1] = l end end
  return t
end

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  bodies = lines(os.getenv("MN_BODIES"))
  bad = lines(os.getenv("MN_BAD"))
  tokens = lines(os.getenv("MN_TOKENS"))
  n, sent_good, sent_bad, tok = 0, 0, 0, 0
  st200, st4xx, st5xx, other = 0, 0, 0, 0
  -- the token files are split between threads: no token is used twice
  nthreads = tonumber(os.getenv("MN_WRK_THREADS") or "1")
  tok = id
end

function request()
  n = n + 1
  local body
  if #bad > 0 and n % 10 == 0 then
    body = bad[math.floor(n / 10) % #bad + 1]
    sent_bad = sent_bad + 1
  else
    body = bodies[n % #bodies + 1]
    sent_good = sent_good + 1
  end
  local headers = { ["Content-Type"] = "application/json" }
  if #tokens > 0 then
    tok = tok + nthreads
    headers["Authorization"] = "Bearer " .. tokens[(tok - 1) % #tokens + 1]
  end
  return wrk.format("POST", path, headers, body)
end

function delay()
  return delay_ms
end

function response(status, headers, body)
  if status == 200 then st200 = st200 + 1
  elseif status >= 500 then st5xx = st5xx + 1
  elseif status >= 400 then st4xx = st4xx + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local t = { sent_good = 0, sent_bad = 0, st200 = 0, st4xx = 0, st5xx = 0, other = 0 }
  for _, th in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + th:get(k) end
  end
  io.write(string.format("sent: %d good, %d malformed; responses: %d 200, %d 4xx, %d 5xx, %d other\n",
    t.sent_good, t.sent_bad, t.st200, t.st4xx, t.st5xx, t.other))
  -- a good request that failed shows as a 4xx beyond the malformed ones
  -- sent, or as a 5xx; the last request of each connection may be cut by
  -- the end of the run (counted in neither)
  local failed = t.st5xx + t.other + math.max(0, t.st4xx - t.sent_bad)
  io.write(string.format("good requests failed: %d\n", failed))
  io.write(string.format("p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, p99.9 %.3f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000))
end
