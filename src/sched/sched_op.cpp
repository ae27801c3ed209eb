#include "neat/detail/sched_op.hpp"

#include "neat/common/error.hpp"

namespace neat::detail {

bool SchedOp::stop_requested() const noexcept {
  return stop_.stop_requested() || (deadline_ && Clock::now() > *deadline_);
}

void SchedOp::publish(OpStatus status, std::exception_ptr error, std::string reason) {
  {
    std::lock_guard<std::mutex> lock(done_mutex_);
    error_ = std::move(error);
    reason_ = std::move(reason);
    status_.store(status, std::memory_order_release);
  }
  done_cv_.notify_all();
}

void SchedOp::wait_done() {
  std::unique_lock<std::mutex> lock(done_mutex_);
  done_cv_.wait(lock, [this] { return done(); });
}

bool SchedOp::wait_done_until(Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(done_mutex_);
  return done_cv_.wait_until(lock, deadline, [this] { return done(); });
}

std::exception_ptr SchedOp::error() const {
  std::lock_guard<std::mutex> lock(done_mutex_);
  return error_;
}

void SchedOp::note(std::string why) {
  std::lock_guard<std::mutex> lock(done_mutex_);
  reason_ = std::move(why);
}

std::string SchedOp::reason() const {
  std::lock_guard<std::mutex> lock(done_mutex_);
  return reason_;
}

void SchedOp::rethrow_outcome() const {
  switch (status()) {
    case OpStatus::failed:
      throw OperationFailed(descriptor_.name, descriptor_.component, error());
    case OpStatus::cancelled:
      throw OperationCancelled(descriptor_.name, false, reason());
    case OpStatus::timed_out:
      throw OperationCancelled(descriptor_.name, true, reason());
    default:
      return;
  }
}

}  // namespace neat::detail
