-- Printed by wrk at the end of a run, for bench/pages.py: requests, duration, errors and the latency
-- percentiles 50/95/99 in microseconds, one "BENCH name=value" line each (wrk itself prints no p95).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%d\n", summary.requests))
  io.write(string.format("BENCH duration_us=%d\n", summary.duration))
  io.write(string.format("BENCH errors=%d\n", e.connect + e.read + e.write + e.status + e.timeout))
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("BENCH p%d_us=%d\n", p, latency:percentile(p)))
  end
end
