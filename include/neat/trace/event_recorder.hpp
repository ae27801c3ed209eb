// EventRecorder: the Observer half shared by ChromeTraceWriter and MetricsCollector. It records
// every executor event into per-worker buffers (no lock on the hot path) and lets the derived
// class read them back. Not used directly.
//
// Thread-safety: the on_* callbacks may be called concurrently from every worker; events of
// non-workers, run begin/end and worker indices beyond `workers` take one mutex. clear() and
// the derived readers may run while workers record, but not concurrently with one another.
#pragma once

#include <cstddef>
#include <memory>

#include "neat/trace/observer.hpp"

namespace neat {
namespace detail {
class EventLog;
}  // namespace detail

class EventRecorder : public Observer {
 public:
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  void on_run_begin(const RunEvent& event) final;
  void on_run_end(const RunEvent& event) final;
  void on_operation_ready(const OperationEvent& event) final;
  void on_operation_start(const OperationEvent& event) final;
  void on_operation_end(const OperationEvent& event) final;
  void on_steal(const StealEvent& event) final;
  void on_worker_sleep(std::size_t worker, Clock::time_point time) final;
  void on_worker_wake(std::size_t worker, Clock::time_point time) final;

  /// Forget every event recorded so far and free its memory (interned names are kept).
  void clear();
  /// The worker count given at construction.
  [[nodiscard]] std::size_t workers() const noexcept;

 protected:
  /// `workers`: the executor's worker count. Events of larger worker indices are still
  /// recorded (through the shared, locked buffer) and get their own rows.
  explicit EventRecorder(std::size_t workers);
  ~EventRecorder() override;
  [[nodiscard]] const detail::EventLog& log() const noexcept { return *log_; }

 private:
  std::unique_ptr<detail::EventLog> log_;
};

}  // namespace neat
