#include "stream_report.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace neat::cli {
namespace {

using nlohmann::ordered_json;

std::string arrivals(const RequestStreamSpec& spec) {
  if (spec.clients > 0) return fmt::format("{} clients", spec.clients);
  return fmt::format("{} {:g}/s", to_string(spec.arrival), spec.rate_per_s);
}

std::string latency_ms(const std::optional<RequestLatency>& latency,
                       double RequestLatency::*field) {
  return latency ? fmt::format("{:.3f}", (*latency).*field / 1000.0) : std::string("-");
}

std::string notes(const ScheduledStream& s) {
  const DynamicBatcherStats& b = s.batcher;
  std::string out = fmt::format(
      "  {}: batches fired full {}, delay {}, sparse {}, free slot {}, late {}, critical {}, "
      "flush {}",
      s.name, b.fired_full, b.fired_delay, b.fired_sparse, b.fired_free_slot, b.fired_late,
      b.fired_critical, b.fired_flush);
  if (b.late > 0) out += fmt::format("; {} requests ran after their timeout", b.late);
  if (s.memory_peak_bytes > 0) {
    out += fmt::format("; component memory held at most {} bytes", s.memory_peak_bytes);
  }
  out += '\n';
  if (!s.reason.empty()) out += fmt::format("  {}: {}\n", s.name, s.reason);
  return out;
}

}  // namespace

std::string format_streams(const ScheduledRun& run, const Workload& workload) {
  if (run.streams.empty()) return "";
  std::size_t name_width = 14;
  std::size_t component_width = 9;
  for (const ScheduledStream& s : run.streams) {
    name_width = std::max(name_width, s.name.size());
    component_width = std::max(component_width, s.component.size());
  }
  const auto row = [&](const auto&... cells) {
    return fmt::format(
        "{:<{}}  {:<{}}  {:<8}  {:<14}  {:>8}  {:>9}  {:>6}  {:>9}  {:>7}  {:>7}  {:>10}  "
        "{:>9}  {:>10}  {:>8}  {:>8}  {:>8}\n",
        cells...);
  };
  std::string out =
      row("request stream", name_width, "component", component_width, "priority", "arrivals",
          "requests", "completed", "failed", "timed out", "refused", "batches", "mean batch",
          "max batch", "requests/s", "p50 ms", "p95 ms", "p99 ms");
  std::string below;
  for (std::size_t i = 0; i < run.streams.size(); ++i) {
    const ScheduledStream& s = run.streams[i];
    out += row(s.name, name_width, s.component, component_width, to_string(s.priority),
               arrivals(workload.request_streams[i]), s.requests, s.completed, s.failed,
               s.timed_out, s.refused, s.batcher.batches, fmt::format("{:.2f}", s.mean_batch_size),
               s.batcher.largest_batch, fmt::format("{:.1f}", s.requests_per_second),
               latency_ms(s.latency, &RequestLatency::p50_us),
               latency_ms(s.latency, &RequestLatency::p95_us),
               latency_ms(s.latency, &RequestLatency::p99_us));
    below += notes(s);
  }
  return out + below;
}

ordered_json streams_to_json(const ScheduledRun& run, const Workload& workload) {
  ordered_json out = ordered_json::array();
  for (std::size_t i = 0; i < run.streams.size(); ++i) {
    const ScheduledStream& s = run.streams[i];
    const RequestStreamSpec& spec = workload.request_streams[i];
    const DynamicBatcherStats& b = s.batcher;
    ordered_json latency = nullptr;
    if (s.latency) {
      latency = {{"p50", s.latency->p50_us},
                 {"p95", s.latency->p95_us},
                 {"p99", s.latency->p99_us},
                 {"mean", s.latency->mean_us},
                 {"max", s.latency->max_us}};
    }
    const bool closed = spec.clients > 0;
    out.push_back(
        {{"name", s.name},
         {"component", s.component},
         {"priority", to_string(s.priority)},
         {"batching", s.batching},
         {"arrival", closed ? std::string("closed") : std::string(to_string(spec.arrival))},
         {"rate_per_s", closed ? ordered_json(nullptr) : ordered_json(spec.rate_per_s)},
         {"clients", closed ? ordered_json(spec.clients) : ordered_json(nullptr)},
         {"requests", s.requests},
         {"completed", s.completed},
         {"failed", s.failed},
         {"timed_out", s.timed_out},
         {"refused", s.refused},
         {"late", b.late},
         {"reason", s.reason},
         {"batches", b.batches},
         {"failed_batches", b.failed_batches},
         {"mean_batch_size", s.mean_batch_size},
         {"max_batch_size", b.largest_batch},
         {"fired",
          {{"full", b.fired_full},
           {"delay", b.fired_delay},
           {"sparse", b.fired_sparse},
           {"free_slot", b.fired_free_slot},
           {"late", b.fired_late},
           {"critical", b.fired_critical},
           {"flush", b.fired_flush}}},
         {"started_us", s.started_us},
         {"finished_us", s.finished_us},
         {"requests_per_second", s.requests_per_second},
         {"latency_us", std::move(latency)},
         {"memory_peak_bytes", s.memory_peak_bytes}});
  }
  return out;
}

}  // namespace neat::cli
