// Helpers for the DynamicBatcher tests: a record of the batches a batch function saw, a gate
// that holds batches until the test opens it, and waits with a limit.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "neat/batch/batch_size_policy.hpp"
#include "neat/batch/dynamic_batcher.hpp"
#include "neat/sched/execution_scheduler.hpp"

namespace neat::test {

inline constexpr std::chrono::seconds k_batch_limit{60};

/// A list that several threads append to.
template <class T>
class LockedList {
 public:
  void add(T value) {
    std::lock_guard<std::mutex> lock(mutex_);
    items_.push_back(std::move(value));
  }
  [[nodiscard]] std::vector<T> get() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return items_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<T> items_;
};

/// The batches a batch function ran, in the order they ran.
class BatchLog {
 public:
  void add(const std::vector<int>& batch) { batches_.add(batch); }
  [[nodiscard]] std::vector<std::size_t> sizes() const {
    std::vector<std::size_t> out;
    for (const std::vector<int>& b : batches_.get()) out.push_back(b.size());
    return out;
  }
  [[nodiscard]] std::vector<int> firsts() const {
    std::vector<int> out;
    for (const std::vector<int>& b : batches_.get()) out.push_back(b.empty() ? -1 : b.front());
    return out;
  }

 private:
  LockedList<std::vector<int>> batches_;
};

/// A fixed size; keeps every outcome it hears, and throws from record() when asked to.
class RecordingPolicy final : public BatchSizePolicy {
 public:
  explicit RecordingPolicy(std::size_t size, bool throws = false) : size_(size), throws_(throws) {}
  [[nodiscard]] std::size_t preferred_size() const override { return size_; }
  void record(const BatchOutcome& outcome) override {
    outcomes_.add(outcome);
    if (throws_) throw std::runtime_error("policy failure");
  }
  [[nodiscard]] std::vector<BatchOutcome> outcomes() const { return outcomes_.get(); }

 private:
  std::size_t size_;
  bool throws_;
  LockedList<BatchOutcome> outcomes_;
};

/// Holds every batch function that calls pass() until open(); counts those waiting.
class BatchGate {
 public:
  void pass() {
    std::unique_lock<std::mutex> lock(mutex_);
    ++waiting_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
    --waiting_;
  }
  void open() {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  /// Wait until `count` batch functions are held; false after the limit.
  bool wait_for_waiting(int count) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, k_batch_limit, [&] { return waiting_ >= count; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int waiting_ = 0;
  bool open_ = false;
};

template <class T>
bool ready_within(const std::future<T>& future, std::chrono::nanoseconds limit = k_batch_limit) {
  return future.wait_for(limit) == std::future_status::ready;
}

template <class T>
bool still_waiting(const std::future<T>& future) {
  return future.wait_for(std::chrono::seconds(0)) == std::future_status::timeout;
}

/// The message of the neat::Error that `future` ends with ("" and a test failure otherwise).
template <class T>
std::string error_of(std::future<T>& future) {
  try {
    (void)future.get();
    ADD_FAILURE() << "the request should have failed";
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

/// Two workers, a scheduler and a log, for the tests of one batcher.
class BatcherFixture : public ::testing::Test {
 protected:
  ParallelExecutor executor_{ExecutorOptions{.workers = 2}};
  ExecutionScheduler scheduler_{executor_};
  BatchLog log_;
};

/// Submit the requests from, ..., to - 1.
inline std::vector<std::future<int>> submit_range(DynamicBatcher<int, int>& batcher, int from,
                                                  int to, RequestOptions options = {}) {
  std::vector<std::future<int>> futures;
  for (int i = from; i < to; ++i) futures.push_back(batcher.submit(i, options));
  return futures;
}

/// x -> 10x, logging each batch.
inline auto times_ten(BatchLog& log) {
  return [&log](std::vector<int>& batch) {
    log.add(batch);
    std::vector<int> out;
    out.reserve(batch.size());
    for (int x : batch) out.push_back(10 * x);
    return out;
  };
}

/// Options that never fire by time or by a guess: only by size, flush or priority.
inline DynamicBatcherOptions by_size_only(std::size_t max_batch) {
  DynamicBatcherOptions options;
  options.max_batch = max_batch;
  options.max_delay = std::chrono::hours(1);
  options.adaptive_delay = false;
  return options;
}

}  // namespace neat::test
