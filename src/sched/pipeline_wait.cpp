// PipelineCore completion and waiting: a waiter on a worker helps execute work, any other
// thread blocks. [sched.pipeline.help]
#include <algorithm>
#include <thread>

#include "neat/detail/pipeline_core.hpp"

namespace neat::detail {
namespace {

constexpr std::size_t k_min_prune = 16;
// A waiter on a worker waits on one invocation at a time, at most this long before it checks
// its own deadline and the pipeline again.
constexpr std::chrono::milliseconds k_help_slice{100};

}  // namespace

void PipelineCore::remember(RunHandle handle) {
  LockGuard lock(handles_mutex_);
  if (done()) return;  // mark_done() already dropped the list; keeping this would leak
  if (handles_.size() >= std::max(k_min_prune, 2 * tokens_)) {
    std::erase_if(handles_, [](const RunHandle& h) { return h.done(); });
  }
  handles_.push_back(std::move(handle));
}

RunHandle PipelineCore::unfinished_invocation() {
  LockGuard lock(handles_mutex_);
  for (const RunHandle& h : handles_) {
    if (!h.done()) return h;
  }
  return RunHandle{};
}

void PipelineCore::mark_done() {
  std::vector<RunHandle> dropped;
  {
    // done_ is set under handles_mutex_ so that remember() either sees it or is cleared here:
    // the handles own the invocations, which own a reference to this core.
    LockGuard lock(handles_mutex_);
    {
      std::lock_guard<std::mutex> done_lock(done_mutex_);
      done_.store(true, std::memory_order_release);
    }
    dropped.swap(handles_);
  }
  done_cv_.notify_all();
}

bool PipelineCore::help_until_done(std::optional<Clock::time_point> deadline) {
  while (!done()) {
    const Clock::time_point now = Clock::now();
    if (deadline && now >= *deadline) return false;
    const RunHandle invocation = unfinished_invocation();
    if (!invocation.valid()) {  // between an invocation's end and its successors' submission
      std::this_thread::yield();
      continue;
    }
    const auto slice = deadline ? std::min<Clock::duration>(*deadline - now, k_help_slice)
                                : Clock::duration(k_help_slice);
    (void)invocation.wait_for(slice);  // helps: executes work while it waits
  }
  return true;
}

bool PipelineCore::block_until_done(std::optional<Clock::time_point> deadline) {
  std::unique_lock<std::mutex> lock(done_mutex_);
  const auto is_done = [this] { return done(); };
  if (!deadline) {
    done_cv_.wait(lock, is_done);
    return true;
  }
  return done_cv_.wait_until(lock, *deadline, is_done);
}

PipelineStatus PipelineCore::wait() {
  if (executor_.current_worker() != k_not_a_worker) {
    help_until_done(std::nullopt);
  } else {
    block_until_done(std::nullopt);
  }
  std::exception_ptr failure;
  bool cancelled = false;
  {
    LockGuard lock(mutex_);
    failure = first_failure_;
    cancelled = cancelled_;
  }
  if (failure) std::rethrow_exception(failure);
  return cancelled ? PipelineStatus::cancelled : PipelineStatus::completed;
}

bool PipelineCore::wait_for(std::chrono::nanoseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  if (executor_.current_worker() != k_not_a_worker) return help_until_done(deadline);
  return block_until_done(deadline);
}

std::exception_ptr PipelineCore::first_failure() const {
  LockGuard lock(mutex_);
  return first_failure_;
}

}  // namespace neat::detail
