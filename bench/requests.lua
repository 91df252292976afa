-- wrk script: send the requests listed in a file and report JSON at the end.
--
-- wrk -s bench/requests.lua URL -- FILE MODE
--   FILE: one request per line, "METHOD<TAB>PATH<TAB>HEADERS<TAB>BODY", where
--         HEADERS is "Name: value" pairs separated by the byte 0x1f.
--   MODE: "cycle" repeats the list for the whole duration; "once" (with WRK_ONCE=1
--         in the environment) sends each line once and stops when every answer is
--         in: a burst of distinct bookings, nothing sent twice.
-- Thread i of n takes lines i, i + n, i + 2n, ...

local threads = {}
local counter = 0

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

local function split(text, separator)
   local parts, start = {}, 1
   while true do
      local at = string.find(text, separator, start, true)
      if not at then
         table.insert(parts, string.sub(text, start))
         return parts
      end
      table.insert(parts, string.sub(text, start, at - 1))
      start = at + 1
   end
end

function init(args)
   local file, mode, nthreads = args[1], args[2], tonumber(args[3])
   once = (mode == "once")
   prepared = {}
   local index = 0
   for line in io.lines(file) do
      if index % nthreads == id then
         local fields = split(line, "\t")
         local headers = {}
         if fields[3] and fields[3] ~= "" then
            for _, pair in ipairs(split(fields[3], "\31")) do
               local name, value = string.match(pair, "^([^:]+): (.*)$")
               headers[name] = value
            end
         end
         local body = fields[4]
         if body == "" then body = nil end
         table.insert(prepared, wrk.format(fields[1], fields[2], headers, body))
      end
      index = index + 1
   end
   sent = 0
   reserved = 0
   answered = 0
   statuses = {}
end

function request()
   sent = sent + 1
   return prepared[((sent - 1) % #prepared) + 1]
end

if os.getenv("WRK_ONCE") == "1" then
   -- wrk asks before every request; a connection with nothing left to send waits
   -- (far longer than the run) instead of sending a line twice. wrk measures
   -- latency from the moment a request is written, so waiting costs nothing.
   reserved = 0
   function delay()
      if reserved < #prepared then
         reserved = reserved + 1
         return 0
      end
      return 3600000
   end
end

function response(status, headers, body)
   answered = answered + 1
   local key = tostring(status)
   statuses[key] = (statuses[key] or 0) + 1
   if once and answered == #prepared then
      -- wrk itself would wait out --duration: tell the caller, who interrupts it.
      io.write("WRK_ONCE_DONE\n")
      io.stdout:flush()
      wrk.thread:stop()
   end
end

function done(summary, latency, requests)
   local counts = {}
   for _, thread in ipairs(threads) do
      local seen = thread:get("statuses")
      for status, n in pairs(seen) do
         counts[status] = (counts[status] or 0) + n
      end
   end
   local parts = {}
   for status, n in pairs(counts) do
      table.insert(parts, string.format('"%s": %d', status, n))
   end
   io.write(string.format(
      'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
      '"latency_us": {"p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}, ' ..
      '"statuses": {%s}}\n',
      summary.requests, summary.duration, summary.bytes,
      summary.errors.connect, summary.errors.read, summary.errors.write,
      summary.errors.status, summary.errors.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(95),
      latency:percentile(99), latency.max, latency.mean,
      table.concat(parts, ", ")))
end
