// RunHandle: the caller's view of one run (a graph run or a single submitted operation):
// wait for it, cancel it, read each operation's status, and list what never ran and why.
//
// Thread-safety: every member may be called from any thread, concurrently.
// wait()/wait_for() called from inside a worker help execute work instead of blocking.
//
//   auto run = executor.run(graph);
//   run.wait();                  // rethrows neat::OperationFailed naming the first failure
//   for (auto& n : run.not_run()) std::cerr << n.name << ": " << n.reason << '\n';
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "neat/common/types.hpp"
#include "neat/core/operation_descriptor.hpp"

namespace neat {

namespace detail {
class RunState;
}

enum class WaitStatus : std::uint8_t { done, timeout };

/// An operation that did not complete: failed, cancelled (with the root cause) or timed out.
struct NotRunOperation {
  OperationId id;
  std::string name;
  OpStatus status = OpStatus::cancelled;
  std::string reason;
};

class [[nodiscard]] RunHandle {
 public:
  RunHandle() = default;
  explicit RunHandle(std::shared_ptr<detail::RunState> state) noexcept;

  [[nodiscard]] bool valid() const noexcept { return state_ != nullptr; }
  /// True once every operation reached a terminal state. Never blocks.
  [[nodiscard]] bool done() const noexcept;

  /// Block (or help, on a worker) until done; then rethrow the first failure as
  /// neat::OperationFailed. Throws neat::Error on an empty handle.
  void wait() const;
  /// Wait at most `timeout`; never rethrows. From a worker it helps until done or timeout.
  [[nodiscard]] WaitStatus wait_for(std::chrono::nanoseconds timeout) const;

  /// Ask the run to stop: operations not started yet end `cancelled` (reason: cancelled by
  /// caller) and running ones see OpContext::stop_requested(). Non-blocking; idempotent.
  void cancel() const noexcept;

  /// Status of one operation in this run. Throws neat::Error for an unknown id.
  [[nodiscard]] OpStatus status(OperationId op) const;
  /// Every operation that failed, was cancelled or timed out, in id order, with its reason.
  [[nodiscard]] std::vector<NotRunOperation> not_run() const;
  /// Number of operations that threw (the first is rethrown by wait, the rest are counted).
  [[nodiscard]] std::size_t failure_count() const noexcept;
  /// The first failure (nullptr when none). Wrapped as OperationFailed.
  [[nodiscard]] std::exception_ptr first_failure() const noexcept;
  /// Operations in the run.
  [[nodiscard]] std::size_t size() const noexcept;
  /// Time from run start to completion (zero while running).
  [[nodiscard]] std::chrono::nanoseconds makespan() const noexcept;

 private:
  void require_valid(const char* what) const;
  std::shared_ptr<detail::RunState> state_;
};

}  // namespace neat
