-- The capacity benchmark's requests, for wrk (bench/capacity.py writes the plan and runs it).
--
-- The plan (a Lua file named by CAPACITY_PLAN) lists the kinds of request with their weights,
-- and the logged-in staff who make them: each request picks its kind by weight, then a person
-- of that kind's role, whose session cookie it carries (as a reverse proxy's pooled connections
-- carry many people's requests). wrk runs one connection per thread, so a thread's request and
-- response alternate and the time between them is that request's, measured with the monotonic
-- clock. Each response is written down as "kind<TAB>status<TAB>milliseconds"; done() gathers
-- every thread's lines into the file named by CAPACITY_OUT, after a first line with the run's
-- duration in microseconds and wrk's count of socket errors.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } capacity_timespec;
int clock_gettime(int clock, capacity_timespec *now);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("capacity_timespec")

local function milliseconds()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local threads = {}

function setup(thread)
  thread:set("number", #threads + 1)
  table.insert(threads, thread)
end

-- `answers` is global: done() reads it from each thread (thread:get sees globals only).
local plan, total, asked, started

function init(_args)
  plan = dofile(os.getenv("CAPACITY_PLAN"))
  total = 0
  for _, kind in ipairs(plan.kinds) do
    total = total + kind.weight
  end
  math.randomseed(plan.seed + number)
  answers = {}
end

local function pick()
  local drawn = math.random() * total
  for _, kind in ipairs(plan.kinds) do
    drawn = drawn - kind.weight
    if drawn < 0 then
      return kind
    end
  end
  return plan.kinds[#plan.kinds]
end

local function token()
  return string.format("%08x%08x%08x%08x", math.random(0, 0x7fffffff), math.random(0, 0x7fffffff),
    math.random(0, 0x7fffffff), math.random(0, 0x7fffffff))
end

function request()
  local kind = pick()
  local people = plan.people[kind.role]
  local person = people[math.random(#people)]
  local headers = { ["Cookie"] = person.cookie }
  if kind.partial then
    headers["HX-Request"] = "true"
    headers["HX-Request-Type"] = "partial"
  end
  local path = kind.path:gsub("{shift}", person.shift or "")
  local body = nil
  if kind.body then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    body = kind.body:gsub("{place}", tostring(person.place or "")):gsub("{token}", token())
  end
  asked = kind.name
  started = milliseconds()
  return wrk.format(kind.method, path, headers, body)
end

function response(status, _headers, _body)
  answers[#answers + 1] = string.format("%s\t%d\t%.3f", asked, status, milliseconds() - started)
end

function done(summary, _latency, _requests)
  local out = assert(io.open(os.getenv("CAPACITY_OUT"), "w"))
  local errors = summary.errors
  out:write(string.format("%d\t%d\n", summary.duration,
    errors.connect + errors.read + errors.write + errors.timeout))
  for _, thread in ipairs(threads) do
    for _, line in ipairs(thread:get("answers")) do
      out:write(line, "\n")
    end
  end
  out:close()
end
