// Helpers for ExecutionScheduler tests: occupy every worker until released, so that the order
// of what was queued meanwhile is decided by the scheduler alone.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "neat/sched/execution_scheduler.hpp"

namespace neat::test {

class WorkerGate {
 public:
  WorkerGate(ExecutionScheduler& scheduler, std::size_t workers) {
    for (std::size_t i = 0; i < workers; ++i) {
      handles_.push_back(scheduler.submit(
          {.descriptor = {.name = "gate", .priority = ExecutionPriority::critical}}, [this] {
            started_.fetch_add(1);
            while (!open_.load()) std::this_thread::sleep_for(std::chrono::microseconds(100));
          }));
    }
    while (started_.load() < workers) std::this_thread::yield();
  }
  ~WorkerGate() { open(); }
  void open() {
    open_.store(true);
    for (const OpHandle<void>& h : handles_) h.wait();
  }

 private:
  std::atomic<std::size_t> started_{0};
  std::atomic<bool> open_{false};
  std::vector<OpHandle<void>> handles_;
};

/// Thread-safe record of the order operations started in.
class StartOrder {
 public:
  void add(std::string name) {
    std::lock_guard<std::mutex> lock(mutex_);
    order_.push_back(std::move(name));
  }
  std::vector<std::string> get() {
    std::lock_guard<std::mutex> lock(mutex_);
    return order_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> order_;
};

}  // namespace neat::test
