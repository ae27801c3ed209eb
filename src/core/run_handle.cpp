#include "neat/core/run_handle.hpp"

#include "core/executor_core.hpp"
#include "core/run_state.hpp"
#include "neat/common/error.hpp"

namespace neat {

RunHandle::RunHandle(std::shared_ptr<detail::RunState> state) noexcept : state_(std::move(state)) {}

void RunHandle::require_valid(const char* what) const {
  if (!state_) throw Error(std::string("RunHandle::") + what + ": empty handle (no run)");
}

bool RunHandle::done() const noexcept {
  return state_ != nullptr && state_->done();
}

void RunHandle::wait() const {
  require_valid("wait");
  detail::RunState& run = *state_;
  if (!run.done()) {
    if (detail::Worker* worker = run.core().current_worker()) {
      worker->help_until([&run] { return run.done(); });  // [core.help] never block a worker
    } else {
      run.wait_done();
    }
  }
  if (std::exception_ptr failure = run.first_failure()) std::rethrow_exception(failure);
}

WaitStatus RunHandle::wait_for(std::chrono::nanoseconds timeout) const {
  require_valid("wait_for");
  detail::RunState& run = *state_;
  const Clock::time_point deadline = Clock::now() + timeout;
  bool finished = run.done();
  if (!finished) {
    if (detail::Worker* worker = run.core().current_worker()) {
      finished = worker->help_until([&run] { return run.done(); }, deadline);
    } else {
      finished = run.wait_done_until(deadline);
    }
  }
  return finished ? WaitStatus::done : WaitStatus::timeout;
}

void RunHandle::cancel() const noexcept {
  if (state_) state_->cancel();
}

OpStatus RunHandle::status(OperationId op) const {
  require_valid("status");
  return state_->status(op.index);
}

std::vector<NotRunOperation> RunHandle::not_run() const {
  require_valid("not_run");
  return state_->not_run();
}

std::size_t RunHandle::failure_count() const noexcept {
  return state_ ? state_->failure_count() : 0;
}

std::exception_ptr RunHandle::first_failure() const noexcept {
  return state_ ? state_->first_failure() : nullptr;
}

std::size_t RunHandle::size() const noexcept {
  return state_ ? state_->size() : 0;
}

std::chrono::nanoseconds RunHandle::makespan() const noexcept {
  return state_ ? state_->makespan() : std::chrono::nanoseconds{0};
}

}  // namespace neat
