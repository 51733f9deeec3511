-- wrk script: after the run, print the summary as one JSON line, with the
-- percentiles that --latency does not show (p95). Latencies are in microseconds.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_JSON {\"requests\": %.0f, \"duration_us\": %.0f, \"bytes\": %.0f, " ..
    "\"connect_errors\": %.0f, \"read_errors\": %.0f, \"write_errors\": %.0f, " ..
    "\"status_errors\": %.0f, \"timeouts\": %.0f, \"latency_us\": {\"min\": %.0f, " ..
    "\"mean\": %.1f, \"max\": %.0f, \"stdev\": %.1f, \"p50\": %.0f, \"p90\": %.0f, " ..
    "\"p95\": %.0f, \"p99\": %.0f}}\n",
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.max, latency.stdev,
    latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99)))
end
