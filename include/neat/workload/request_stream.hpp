// Request streams in workload files: requests that arrive over time (open loop, at a rate; or
// closed loop, from clients that each wait for their previous request) and are fed through a
// DynamicBatcher, whose batches run as ExecutionScheduler operations of the stream's component
// at its priority. run_scheduled() (scheduled_run.hpp) runs them; a graph run ignores them. The
// format is in docs/workload-format.md ("Request streams"). [workload.streams]
//
// Thread-safety: plain values; stream_arrivals() is a pure function.
//
//   neat::Workload w = neat::load_workload("examples/request_stream.json");
//   const neat::RequestStreamSpec& chat = w.request_streams.at(0);
//   std::vector<neat::Clock::duration> when = neat::stream_arrivals(chat);  // open loop only
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "neat/batch/dynamic_batcher_options.hpp"
#include "neat/common/types.hpp"
#include "neat/trace/observer.hpp"
#include "neat/workload/kernels.hpp"

namespace neat {

/// How an open-loop stream's requests are spaced: evenly at the rate, or with exponentially
/// distributed gaps of the same mean (a Poisson process).
enum class ArrivalProcess : std::uint8_t { uniform, poisson };

[[nodiscard]] std::string_view to_string(ArrivalProcess process) noexcept;
/// "uniform", "poisson"; nullopt when unknown.
[[nodiscard]] std::optional<ArrivalProcess> parse_arrival_process(std::string_view text) noexcept;

/// The work of one batch of n requests: call_us + item_us × n µs of a spin (real arithmetic,
/// so the per-call part is what batching shares) or a sleep; a fail kernel throws `message`
/// and fails every request of its batch.
struct BatchKernelSpec {
  KernelType type = KernelType::spin;  // spin, sleep or fail
  double call_us = 0.0;                // per batch (>= 0)
  double item_us = 0.0;                // per request in it (>= 0)
  SpinMode spin_mode = SpinMode::work;
  std::string message{};
  friend bool operator==(const BatchKernelSpec&, const BatchKernelSpec&) = default;
};

/// The "batcher" object of a stream, mapped onto DynamicBatcherOptions.
struct StreamBatcherSpec {
  std::size_t max_batch = 32;
  std::vector<std::size_t> preferred_sizes{};  // ascending, each in [1, max_batch]
  double max_delay_us = 1000.0;
  bool adaptive_delay = true;
  std::size_t max_in_flight = 0;  // 0: no limit
  std::size_t queue_capacity = 1024;
  friend bool operator==(const StreamBatcherSpec&, const StreamBatcherSpec&) = default;
};

/// One stream. Exactly one of rate_per_s (open loop) and clients (closed loop) is non-zero.
struct RequestStreamSpec {
  std::string name{};
  std::string component{};  // a declared component: its budget pays for memory_bytes
  ExecutionPriority priority = ExecutionPriority::medium;  // default: the component's
  std::uint64_t requests = 0;
  double rate_per_s = 0.0;  // open loop: requests per second
  ArrivalProcess arrival = ArrivalProcess::uniform;
  std::uint64_t seed = 1;     // of the poisson gaps
  std::uint64_t clients = 0;  // closed loop: each sends its next request when one completed
  double arrive_ms = 0.0;     // the first request, in ms after the run starts
  BatchKernelSpec kernel{};
  std::uint64_t memory_bytes = 0;      // per request; a batch of n reserves n times this
  std::optional<double> timeout_ms{};  // the longest a request waits in the batcher's queue
  TimeoutPolicy timeout_policy = TimeoutPolicy::reject;
  StreamBatcherSpec batcher{};
  friend bool operator==(const RequestStreamSpec&, const RequestStreamSpec&) = default;
};

/// When each request of an open-loop stream arrives, from the stream's start (arrive_ms not
/// included): i / rate_per_s (uniform), or sums of exponential gaps of mean 1 / rate_per_s drawn
/// from a 64-bit Mersenne Twister seeded with `seed` (poisson; the same on every platform).
/// Empty for a closed-loop stream.
[[nodiscard]] std::vector<Clock::duration> stream_arrivals(const RequestStreamSpec& stream);

/// The DynamicBatcherOptions of a stream (name, component, priority, batcher, memory per item,
/// timeout policy); with `batching` false, max_batch is 1 and preferred_sizes empty, so every
/// request is its own scheduler operation. `memory` is left null.
[[nodiscard]] DynamicBatcherOptions batcher_options(const RequestStreamSpec& stream, bool batching);

}  // namespace neat
