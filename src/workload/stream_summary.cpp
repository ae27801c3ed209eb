// The report of one request stream: outcomes, batch sizes, throughput, latency percentiles.
// [workload.streams]
#include <algorithm>
#include <cmath>
#include <numeric>

#include "scheduled_parts.hpp"
#include "scheduled_stream.hpp"

namespace neat::detail {
namespace {

// Nearest rank: the smallest value with at least `p` of the values at or below it.
double percentile(const std::vector<double>& sorted, double p) {
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

std::optional<RequestLatency> latency_of(std::vector<double> us) {
  if (us.empty()) return std::nullopt;
  std::sort(us.begin(), us.end());
  return RequestLatency{
      .p50_us = percentile(us, 0.50),
      .p95_us = percentile(us, 0.95),
      .p99_us = percentile(us, 0.99),
      .mean_us = std::accumulate(us.begin(), us.end(), 0.0) / static_cast<double>(us.size()),
      .max_us = us.back()};
}

}  // namespace

ScheduledStream summarize_stream(const RequestStreamSpec& spec,
                                 const std::vector<RequestRecord>& records,
                                 const DynamicBatcherStats& stats, Clock::time_point run_start) {
  ScheduledStream out{.name = spec.name,
                      .component = spec.component,
                      .priority = spec.priority,
                      .requests = spec.requests,
                      .batcher = stats};
  std::optional<Clock::time_point> first;
  std::optional<Clock::time_point> last;
  std::vector<double> latencies;
  using Outcome = RequestRecord::Outcome;
  for (const RequestRecord& r : records) {
    if (r.outcome == Outcome::not_sent) continue;
    if (!first || r.arrival < *first) first = r.arrival;
    out.failed += r.outcome == Outcome::failed ? 1 : 0;
    out.timed_out += r.outcome == Outcome::timed_out ? 1 : 0;
    out.refused += r.outcome == Outcome::refused ? 1 : 0;
    if (r.outcome != Outcome::completed) continue;
    ++out.completed;
    latencies.push_back(micros_since(r.arrival, r.result));
    if (!last || r.result > *last) last = r.result;
  }
  if (stats.batches > 0) {
    out.mean_batch_size =
        static_cast<double>(stats.submitted - stats.timed_out) / static_cast<double>(stats.batches);
  }
  if (first) out.started_us = micros_since(run_start, *first);
  out.finished_us = last ? micros_since(run_start, *last) : out.started_us;
  const double seconds = (out.finished_us - out.started_us) * 1e-6;
  if (seconds > 0.0) out.requests_per_second = static_cast<double>(out.completed) / seconds;
  out.latency = latency_of(std::move(latencies));
  return out;
}

}  // namespace neat::detail
