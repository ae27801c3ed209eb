// batch_ops/neat: "memory_ceiling_drop": a stream of 200 batches of 64 items through
// run_with_memory_retry on the ExecutionScheduler, under a MemoryBudgetManager, while the memory
// left to the batches drops suddenly from 128 items' worth to 6 in mid-run.
//
// - Kernel: per call, a coefficient table of 16K floats (a fixed cost per call, as a weight
//   load or a kernel launch); per item, a 64 KiB scratch row that it really allocates and
//   fills (a serial recurrence), then reduces to one float.
// - Memory: component "encoder" with a budget of 128 items x 64 KiB = 8 MiB; every attempt
//   reserves 64 KiB per item (try_reserve) before it runs, so two whole batches fit at once.
// - The drop: when batch 100 is claimed, a second tenant of the same budget (another replica
//   of the component, a growing cache) starts taking 64 KiB reservations one at a time,
//   as memory is released, until it holds 122 items' worth; it keeps them to the end. From
//   then on only 6 items' worth is left: a 64-item batch fails at 64, 32, 16, 8 and runs in
//   pieces of 4 (or 2 when the other client holds 4), within ceil(log2 64) = 6 splits.
// - Two client threads feed batches (one run_with_memory_retry call at a time each); the
//   executor has --workers workers. While the tenant is still taking its share, the tenant
//   and one client can hold the whole budget, so the other client's 1-item piece is refused:
//   "neat" fails such a batch at once (BatchMemoryError, counted in failed_batches);
//   "neat_wait" sets wait_at_minimum = 100 ms, so the piece waits for a release instead.
// Counters: reserved_max_bytes (the manager's own count for the component, read right after
// every grant: each local maximum) against budget_bytes, overrun_bytes = what passed the
// budget (target 0), batch_reserved_max_after (what the batches held once the tenant had its
// share) against room_after_bytes, splits_max (target <= 6), splits_max_before (batches that
// started and ended before the tenant started; target 0), splits_mean_after (the others, the
// batches in flight at the drop included), failed_batches (BatchMemoryError; target 0),
// items_per_s_before / items_per_s_after (batches 0-99, claimed before the drop, over the time
// until batch 100 was claimed; batches 100-199 over the rest).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <numeric>
#include <thread>
#include <vector>

#include "common/neat_support.hpp"
#include "common/registry.hpp"
#include "neat/batch/batch_ops_retry.hpp"
#include "neat/resources/memory_budget.hpp"

namespace neat::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;
using Batch = std::vector<float>;
constexpr std::size_t k_batches = 200;
constexpr std::size_t k_items = 64;
constexpr std::size_t k_floats_per_item = 16384;
constexpr std::uint64_t k_item_bytes = k_floats_per_item * sizeof(float);  // 64 KiB
constexpr std::uint64_t k_budget = 128 * k_item_bytes;
constexpr std::uint64_t k_tenant_share = 122 * k_item_bytes;
constexpr std::size_t k_clients = 2;

Batch run_kernel(const Batch& items) {
  std::vector<float> coeff(k_floats_per_item);
  for (std::size_t j = 0; j < coeff.size(); ++j) {
    const auto x = static_cast<float>(j);
    coeff[j] = std::exp(-1e-4F * x) / (1.0F + x);
  }
  std::vector<float> scratch(items.size() * k_floats_per_item);  // what the reservation pays for
  Batch out(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    float* row = scratch.data() + i * k_floats_per_item;
    float s = items[i];
    for (std::size_t j = 0; j < k_floats_per_item; ++j) row[j] = s = s * 0.999F + coeff[j];
    out[i] = std::accumulate(row, row + k_floats_per_item, 0.0F);
  }
  return out;
}

// Relaxed: the maxima are statistics, read only after the threads that raise them are joined.
template <class T>
void raise_to(std::atomic<T>& most, T value) {
  T seen = most.load(std::memory_order_relaxed);
  while (value > seen && !most.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

struct Stream {
  MemoryBudgetManager memory{{.total_bytes = 2 * k_budget,
                              .sampler = [] { return MemorySample{}; },  // no other process
                              .sample_interval = std::chrono::milliseconds(0)}};
  std::atomic<std::size_t> next{0};
  std::vector<Reservation> tenant_held;  // after `memory`: released before it is destroyed
  std::atomic<bool> dropping{false};     // the tenant was started (release; acquire in client)
  std::atomic<bool> tenant_full{false};  // release after its last grant; acquire in sample()
  std::atomic<std::uint64_t> reserved_max{0};
  std::atomic<std::uint64_t> batch_reserved_max_after{0};
  std::atomic<std::size_t> splits_max_before{0};
  std::atomic<std::size_t> splits_max_after{0};
  std::atomic<std::size_t> splits_sum_after{0};
  std::atomic<std::size_t> batches_after{0};
  std::atomic<std::size_t> failed{0};
  SteadyClock::time_point drop_at{};

  Stream() { memory.register_component({.name = "encoder", .memory_budget_bytes = k_budget}); }

  // Right after a grant: the component's reservations now, as the manager counts them.
  void sample() {
    const std::uint64_t reserved = memory.reserved_bytes("encoder");
    raise_to(reserved_max, reserved);
    if (tenant_full.load(std::memory_order_acquire)) {
      raise_to(batch_reserved_max_after, reserved - k_tenant_share);
    }
  }

  // Takes 64 KiB at a time as memory is released, until it holds its share; keeps it.
  void tenant() {
    while (tenant_held.size() * k_item_bytes < k_tenant_share) {
      if (ReservationResult r = memory.try_reserve("encoder", k_item_bytes)) {
        tenant_held.push_back(std::move(r).value());
        sample();
      } else {
        std::this_thread::sleep_for(std::chrono::microseconds(20));
      }
    }
    tenant_full.store(true, std::memory_order_release);
  }

  // `before`: the batch started and ended before the tenant was started.
  void record(bool before, std::size_t splits) {
    if (before) {
      raise_to(splits_max_before, splits);
    } else {
      raise_to(splits_max_after, splits);
      splits_sum_after.fetch_add(splits, std::memory_order_relaxed);
      batches_after.fetch_add(1, std::memory_order_relaxed);
    }
  }
};

void client(Stream& stream, ExecutionScheduler& scheduler, std::thread& tenant,
            std::chrono::milliseconds wait_at_minimum) {
  const MemoryRetryOptions options{.memory = &stream.memory,
                                   .component = "encoder",
                                   .memory_bytes_per_item = k_item_bytes,
                                   .wait_at_minimum = wait_at_minimum,
                                   .name = "encoder"};
  const auto kernel = [&stream](const Batch& piece) {
    stream.sample();
    return run_kernel(piece);
  };
  for (std::size_t b = stream.next.fetch_add(1); b < k_batches; b = stream.next.fetch_add(1)) {
    if (b == k_batches / 2) {
      stream.drop_at = SteadyClock::now();  // read after the clients are joined
      stream.dropping.store(true, std::memory_order_release);
      tenant = std::thread([&stream] { stream.tenant(); });
    }
    const bool started_before = !stream.dropping.load(std::memory_order_acquire);
    Batch batch(k_items);
    for (std::size_t i = 0; i < k_items; ++i) batch[i] = static_cast<float>(b * k_items + i);
    try {
      auto done = run_with_memory_retry(scheduler, batch, kernel, options);
      if (done.result.size() != k_items) stream.failed.fetch_add(1);
      stream.record(started_before && !stream.dropping.load(std::memory_order_acquire),
                    done.report.splits);
    } catch (const BatchMemoryError&) {
      stream.failed.fetch_add(1);
    }
  }
}

// What the iterations measured, together.
struct Totals {
  double before_s = 0;
  double after_s = 0;
  std::uint64_t reserved_max = 0;
  std::uint64_t batch_after_max = 0;
  std::size_t splits_before = 0;
  std::size_t splits_after = 0;
  std::size_t splits_sum_after = 0;
  std::size_t batches_after = 0;
  std::size_t failed = 0;

  void add(const Stream& s, SteadyClock::time_point begin, SteadyClock::time_point end) {
    before_s += seconds_between(begin, s.drop_at);
    after_s += seconds_between(s.drop_at, end);
    reserved_max = std::max(reserved_max, s.reserved_max.load());
    batch_after_max = std::max(batch_after_max, s.batch_reserved_max_after.load());
    splits_before = std::max(splits_before, s.splits_max_before.load());
    splits_after = std::max(splits_after, s.splits_max_after.load());
    splits_sum_after += s.splits_sum_after.load();
    batches_after += s.batches_after.load();
    failed += s.failed.load();
  }

  void report(benchmark::State& state) const {
    const auto iterations = static_cast<double>(state.iterations());
    const double items_per_phase = static_cast<double>(k_batches / 2 * k_items) * iterations;
    auto& c = state.counters;
    c["budget_bytes"] = static_cast<double>(k_budget);
    c["reserved_max_bytes"] = static_cast<double>(reserved_max);
    c["overrun_bytes"] = static_cast<double>(reserved_max > k_budget ? reserved_max - k_budget : 0);
    c["room_after_bytes"] = static_cast<double>(k_budget - k_tenant_share);
    c["batch_reserved_max_after"] = static_cast<double>(batch_after_max);
    c["splits_max"] = static_cast<double>(std::max(splits_before, splits_after));
    c["splits_max_before"] = static_cast<double>(splits_before);
    c["splits_mean_after"] =
        static_cast<double>(splits_sum_after) / static_cast<double>(std::max<std::size_t>(1, batches_after));
    c["failed_batches"] = static_cast<double>(failed);
    c["items_per_s_before"] = items_per_phase / before_s;
    c["items_per_s_after"] = items_per_phase / after_s;
  }
};

void memory_ceiling_drop(benchmark::State& state, std::chrono::milliseconds wait_at_minimum) {
  ParallelExecutor executor(executor_options(state));
  ExecutionScheduler scheduler(executor);
  Totals totals;
  for (auto _ : state) {
    Stream stream;
    std::thread tenant;
    const auto begin = SteadyClock::now();
    std::vector<std::thread> clients;
    for (std::size_t c = 0; c < k_clients; ++c) {
      clients.emplace_back([&] { client(stream, scheduler, tenant, wait_at_minimum); });
    }
    for (std::thread& t : clients) t.join();
    const auto end = SteadyClock::now();
    tenant.join();
    state.SetIterationTime(seconds_between(begin, end));
    totals.add(stream, begin, end);
  }
  totals.report(state);
}

void drop_fail_at_once(benchmark::State& state) {
  memory_ceiling_drop(state, std::chrono::milliseconds(0));
}
void drop_wait_at_minimum(benchmark::State& state) {
  memory_ceiling_drop(state, std::chrono::milliseconds(100));
}

NEAT_BENCH("memory_ceiling_drop", "neat", drop_fail_at_once);
NEAT_BENCH("memory_ceiling_drop", "neat_wait", drop_wait_at_minimum);

}  // namespace
}  // namespace neat::bench
