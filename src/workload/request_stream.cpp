// Request streams: arrival times and the batcher options of a stream. [workload.streams]
#include "neat/workload/request_stream.hpp"

#include <cmath>
#include <random>

namespace neat {

std::string_view to_string(ArrivalProcess process) noexcept {
  return process == ArrivalProcess::poisson ? "poisson" : "uniform";
}

std::optional<ArrivalProcess> parse_arrival_process(std::string_view text) noexcept {
  if (text == "uniform") return ArrivalProcess::uniform;
  if (text == "poisson") return ArrivalProcess::poisson;
  return std::nullopt;
}

std::vector<Clock::duration> stream_arrivals(const RequestStreamSpec& stream) {
  std::vector<Clock::duration> out;
  if (stream.rate_per_s <= 0.0) return out;
  out.reserve(stream.requests);
  // The engine's output is fixed by the standard; the uniform draw and the exponential gap
  // are computed here (not by <random>'s distributions) so that a seed means the same
  // arrivals with every standard library.
  std::mt19937_64 engine(stream.seed);
  double seconds = 0.0;
  for (std::uint64_t i = 0; i < stream.requests; ++i) {
    if (i > 0) {
      if (stream.arrival == ArrivalProcess::poisson) {
        const double u = static_cast<double>(engine() >> 11) * 0x1.0p-53;  // [0, 1)
        seconds += -std::log1p(-u) / stream.rate_per_s;
      } else {
        seconds = static_cast<double>(i) / stream.rate_per_s;
      }
    }
    out.push_back(
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)));
  }
  return out;
}

DynamicBatcherOptions batcher_options(const RequestStreamSpec& stream, bool batching) {
  DynamicBatcherOptions o;
  o.name = stream.name;
  o.component = stream.component;
  o.priority = stream.priority;
  o.max_batch = batching ? stream.batcher.max_batch : 1;
  if (batching) o.preferred_sizes = stream.batcher.preferred_sizes;
  o.max_delay = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double, std::micro>(stream.batcher.max_delay_us));
  o.adaptive_delay = stream.batcher.adaptive_delay;
  o.max_in_flight = stream.batcher.max_in_flight;
  o.queue_capacity = stream.batcher.queue_capacity;
  o.timeout_policy = stream.timeout_policy;
  o.memory_bytes_per_item = stream.memory_bytes;
  return o;
}

}  // namespace neat
