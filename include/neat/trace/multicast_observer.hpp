// MulticastObserver: forwards every executor event to several observers, so one executor
// (which takes a single Observer*) can feed a ChromeTraceWriter and a MetricsCollector at once.
//
// Thread-safety: the on_* callbacks may be called concurrently (each target sees the same
// concurrency as if attached directly). add() is not synchronized with them: add every target
// before the executor that reports to this observer starts a run. Never blocks.
//
// Usage:
//   neat::ChromeTraceWriter trace(workers);
//   neat::MetricsCollector metrics(workers);
//   neat::MulticastObserver both({&trace, &metrics});
//   neat::ParallelExecutor executor({.workers = workers, .observer = &both});
#pragma once

#include <cstddef>
#include <initializer_list>
#include <vector>

#include "neat/trace/observer.hpp"

namespace neat {

class MulticastObserver final : public Observer {
 public:
  MulticastObserver() = default;
  /// Throws neat::Error when an entry is null.
  MulticastObserver(std::initializer_list<Observer*> observers);

  /// Forward events to `observer` too (in the order added); it must outlive this object.
  void add(Observer& observer);
  [[nodiscard]] std::size_t size() const noexcept { return observers_.size(); }

  void on_run_begin(const RunEvent& event) override;
  void on_run_end(const RunEvent& event) override;
  void on_operation_ready(const OperationEvent& event) override;
  void on_operation_start(const OperationEvent& event) override;
  void on_operation_end(const OperationEvent& event) override;
  void on_steal(const StealEvent& event) override;
  void on_batch_decision(const BatchDecisionEvent& event) override;
  void on_worker_sleep(std::size_t worker, Clock::time_point time) override;
  void on_worker_wake(std::size_t worker, Clock::time_point time) override;

 private:
  std::vector<Observer*> observers_;
};

}  // namespace neat
