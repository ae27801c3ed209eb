// Synthetic executor events at fixed time points, so trace and metrics tests can check exact
// numbers without running an executor.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <future>
#include <optional>
#include <string_view>
#include <thread>

#include "neat/trace/observer.hpp"

namespace neat::test {

/// The time point `us` microseconds after an arbitrary origin (whole nanoseconds allowed).
inline Clock::time_point at_us(double us) {
  return Clock::time_point{} + std::chrono::nanoseconds(std::llround(us * 1000.0));
}

struct SyntheticOp {
  std::uint64_t run_id = 1;
  std::uint32_t operation = 0;
  std::string_view name{};
  std::string_view component{};
  std::size_t worker = 0;
  std::optional<double> ready_us{};
  std::optional<double> start_us{};
  std::optional<double> end_us{};
  OpStatus status = OpStatus::completed;
  ExecutionPriority priority = ExecutionPriority::medium;
};

/// Feed the ready / start / end events of `op` that have a time.
inline void feed(Observer& observer, const SyntheticOp& op) {
  OperationEvent event;
  event.run_id = op.run_id;
  event.operation = op.operation;
  event.priority = op.priority;
  if (op.ready_us) {
    event.status = OpStatus::ready;
    event.worker = k_not_a_worker;
    event.time = at_us(*op.ready_us);
    observer.on_operation_ready(event);
  }
  event.name = op.name;
  event.component = op.component;
  event.worker = op.worker;
  if (op.start_us) {
    event.status = OpStatus::running;
    event.time = at_us(*op.start_us);
    observer.on_operation_start(event);
  }
  if (op.end_us) {
    event.status = op.status;
    event.time = at_us(*op.end_us);
    observer.on_operation_end(event);
  }
}

inline void feed_run(Observer& observer, std::uint64_t run_id, std::optional<double> begin_us,
                     std::optional<double> end_us, std::size_t operations = 0,
                     std::size_t workers = 0) {
  RunEvent event{.run_id = run_id, .operations = operations, .workers = workers, .time = {}};
  if (begin_us) {
    event.time = at_us(*begin_us);
    observer.on_run_begin(event);
  }
  if (end_us) {
    event.time = at_us(*end_us);
    observer.on_run_end(event);
  }
}

inline void feed_steal(Observer& observer, std::size_t thief, std::size_t victim, double us) {
  observer.on_steal({.thief = thief, .victim = victim, .time = at_us(us)});
}

/// Run `body` on another thread; abort the test binary if it does not finish in time (a hang
/// in a concurrency test must fail, not stall the suite).
inline void run_with_timeout(const std::function<void()>& body,
                             std::chrono::seconds limit = std::chrono::seconds(60)) {
  std::packaged_task<void()> task(body);
  std::future<void> done = task.get_future();
  std::thread runner(std::move(task));
  if (done.wait_for(limit) != std::future_status::ready) {
    std::fprintf(stderr, "concurrency test timed out after %llds\n",
                 static_cast<long long>(limit.count()));
    std::abort();
  }
  runner.join();
  done.get();
}

}  // namespace neat::test
