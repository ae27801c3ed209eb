// The ExecutionScheduler: components submit operations over time; an urgent arrival lifts
// what it waits for (inheritance); results come back through typed handles; deadlines and
// cancellation end work that is no longer wanted.
#include <neat/neat.hpp>
#include <neat/sched/execution_scheduler.hpp>

#include <chrono>
#include <cstdio>
#include <numeric>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

int main() {
  neat::ParallelExecutor executor(neat::ExecutorOptions{.workers = 2});
  neat::ExecutionScheduler scheduler(executor);

  // A background low-priority encode, and a critical recall that needs it: the encode is
  // raised to critical as soon as the recall arrives.
  auto encode = scheduler.submit(
      {.descriptor = {.name = "encode", .component = "blt_encoder",
                      .priority = neat::ExecutionPriority::low}},
      [] {
        std::vector<float> bytes(4096);
        std::iota(bytes.begin(), bytes.end(), 0.0f);
        return bytes;
      });
  auto recall = scheduler.submit(
      {.descriptor = {.name = "recall", .component = "titans_memory",
                      .priority = neat::ExecutionPriority::critical},
       .after = {encode}},
      [&] {
        const std::vector<float>& bytes = encode.get();  // done: recall runs after encode
        return std::accumulate(bytes.begin(), bytes.end(), 0.0);
      });
  std::printf("encode now runs at %s priority\n",
              std::string(neat::to_string(encode.effective_priority())).c_str());
  std::printf("recall = %.0f\n", recall.get());

  // A deadline: the operation asks ctx.stop_requested() and gives up in time.
  auto slow = scheduler.submit({.descriptor = {.name = "slow_tokenize"},
                                .deadline = neat::with_timeout(20ms)},
                               [](neat::OpContext& ctx) {
                                 while (!ctx.stop_requested()) std::this_thread::sleep_for(1ms);
                               });
  try {
    slow.wait();
  } catch (const neat::OperationCancelled& e) {
    std::printf("%s\n", e.what());
  }

  scheduler.wait_idle();
  const neat::SchedulerStats stats = scheduler.stats();
  std::printf("submitted %llu, completed %llu, timed out %llu, raised by inheritance %llu\n",
              static_cast<unsigned long long>(stats.submitted),
              static_cast<unsigned long long>(stats.completed),
              static_cast<unsigned long long>(stats.timed_out),
              static_cast<unsigned long long>(stats.inherited));
  return stats.completed == 2 && stats.timed_out == 1 ? 0 : 1;
}
