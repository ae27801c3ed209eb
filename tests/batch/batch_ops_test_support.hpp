// Helpers for the batch operation tests: a bounded wait for calls that block, int batches, and
// a scheduler fixture that records the operations it started.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <mutex>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "neat/sched/execution_scheduler.hpp"
#include "neat/trace/observer.hpp"

namespace neat::test {

/// {0, 1, ..., n - 1}
inline std::vector<int> iota(int n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

/// A batch function: each item plus 1000.
inline std::vector<int> plus_1000(const std::vector<int>& v) {
  std::vector<int> out;
  for (const int x : v) out.push_back(x + 1000);
  return out;
}

/// Run `action` on its own thread and return what it returns (or rethrow). A call still running
/// after `limit` fails the test binary at once: a hung thread cannot be taken back.
template <class F>
auto within(F action, std::chrono::seconds limit = std::chrono::seconds(60)) {
  auto done = std::async(std::launch::async, std::move(action));
  if (done.wait_for(limit) != std::future_status::ready) {
    std::fprintf(stderr, "batch test: call did not finish within %lld s\n",
                 static_cast<long long>(limit.count()));
    std::abort();
  }
  return done.get();
}

/// Name, component and priority of every operation started, in start order.
class StartedOps : public Observer {
 public:
  struct Op {
    std::string name;
    std::string component;
    ExecutionPriority priority;
  };
  void on_operation_start(const OperationEvent& e) override {
    std::lock_guard<std::mutex> lock(mutex_);
    ops_.push_back({std::string(e.name), std::string(e.component), e.priority});
  }
  std::vector<Op> get() {
    std::lock_guard<std::mutex> lock(mutex_);
    return ops_;
  }

 private:
  std::mutex mutex_;
  std::vector<Op> ops_;
};

/// A scheduler on GetParam() workers whose started operations are recorded.
class SchedulerOnWorkers : public ::testing::TestWithParam<std::size_t> {
 protected:
  StartedOps started_;
  ParallelExecutor executor_{ExecutorOptions{.workers = GetParam(), .observer = &started_}};
  ExecutionScheduler scheduler_{executor_};
};

}  // namespace neat::test
