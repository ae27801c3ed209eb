// Dynamic batching: requests arrive one at a time from several threads; the DynamicBatcher
// groups them into batches that run as scheduler operations, and each request gets its own
// future. A critical request does not wait for the batch that is filling, a request with a
// timeout is rejected when it waits too long, and a full queue says so.
// Run: build/examples/example_dynamic_batcher
#include <chrono>
#include <cstdio>
#include <future>
#include <neat/batch/dynamic_batcher.hpp>
#include <neat/sched/execution_scheduler.hpp>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

namespace {

long checksum(const std::string& text) {
  return std::accumulate(text.begin(), text.end(), 0L);
}

// The "model": one call per batch, whatever its size (think: one kernel launch).
std::vector<long> embed(std::vector<std::string>& batch) {
  std::vector<long> out;
  for (const std::string& text : batch) out.push_back(checksum(text));
  return out;
}

}  // namespace

int main() {
  neat::ParallelExecutor executor({.workers = 2});
  neat::ExecutionScheduler scheduler(executor);
  neat::DynamicBatcher<std::string, long> batcher(scheduler,
                                                  {.component = "blt_encoder",
                                                   .max_batch = 16,
                                                   .preferred_sizes = {4, 8, 16},
                                                   .max_delay = std::chrono::milliseconds(2),
                                                   .max_in_flight = 2,
                                                   .queue_capacity = 256},
                                                  embed);

  // Four client threads, 25 requests each.
  std::vector<std::thread> clients;
  std::vector<std::vector<std::future<long>>> answers(4);
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; i < 25; ++i) answers[c].push_back(batcher.submit("req" + std::to_string(i)));
    });
  }
  for (std::thread& t : clients) t.join();

  // A critical request forms its own batch at critical priority.
  std::future<long> urgent = batcher.submit("now", {.priority = neat::ExecutionPriority::critical});

  bool ok = urgent.get() == checksum("now");
  for (int c = 0; c < 4; ++c) {
    for (int i = 0; i < 25; ++i)
      ok = ok && answers[c][i].get() == checksum("req" + std::to_string(i));
  }
  // A batcher that only fires when full (and at the destructor): a request with a timeout is
  // rejected when it passes, and a second request finds the queue (capacity 1) full.
  neat::DynamicBatcher<std::string, long> patient(scheduler,
                                                  {.name = "patient",
                                                   .max_batch = 8,
                                                   .max_delay = std::chrono::hours(1),
                                                   .adaptive_delay = false,
                                                   .queue_capacity = 1},
                                                  embed);
  std::future<long> hurried = patient.submit("late", {.timeout = std::chrono::milliseconds(5)});
  try {
    (void)hurried.get();
    ok = false;
  } catch (const neat::RequestTimedOut& e) {
    std::printf("%s\n", e.what());
  }
  std::future<long> kept = patient.submit("kept");
  try {
    (void)patient.submit("one too many");
    ok = false;
  } catch (const neat::BatcherQueueFull& e) {
    std::printf("%s\n", e.what());
  }
  patient.flush();
  ok = ok && kept.get() == checksum("kept");

  const neat::DynamicBatcherStats stats = batcher.stats();
  std::printf(
      "%llu requests in %llu batches (largest %zu): %llu full, %llu at a free slot, "
      "%llu at the delay, %llu critical\n",
      static_cast<unsigned long long>(stats.submitted),
      static_cast<unsigned long long>(stats.batches), stats.largest_batch,
      static_cast<unsigned long long>(stats.fired_full),
      static_cast<unsigned long long>(stats.fired_free_slot),
      static_cast<unsigned long long>(stats.fired_delay),
      static_cast<unsigned long long>(stats.fired_critical));
  return ok && stats.submitted == 101 ? 0 : 1;
}
