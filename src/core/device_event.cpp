// Events: one-shot completions whose continuations run on the executor. [core.device.event]
#include "core/device_event.hpp"

#include "core/executor_core.hpp"
#include "core/worker.hpp"
#include "neat/common/error.hpp"
#include "neat/core/device.hpp"

namespace neat::detail {
namespace {

thread_local const Stream* tls_running_stream = nullptr;

class FunctionJob final : public Job {
 public:
  FunctionJob(ExecutionPriority priority, std::function<void()> fn)
      : Job(priority), fn_(std::move(fn)) {}
  void execute(Worker& /*worker*/) override {
    std::function<void()> fn = std::move(fn_);
    delete this;
    fn();
  }

 private:
  std::function<void()> fn_;
};

// A then-callback must not throw (device.hpp): noexcept turns an escape into std::terminate
// here, where the stack still names the callback, not deep in the worker loop.
void run_callback(const std::function<void()>& fn) noexcept {
  fn();
}

}  // namespace

void post_function(ExecutorCore& core, ExecutionPriority priority, std::function<void()> fn) {
  core.post(*new FunctionJob(priority, std::move(fn)));
}

const Stream* running_stream() noexcept {
  return tls_running_stream;
}

RunningStreamScope::RunningStreamScope(const Stream& stream) noexcept
    : previous_(std::exchange(tls_running_stream, &stream)) {}

RunningStreamScope::~RunningStreamScope() {
  tls_running_stream = previous_;
}

bool EventState::mark_recorded(const Stream& stream, ExecutionPriority priority) noexcept {
  bool expected = false;
  if (!recorded_.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) return false;
  priority_.store(priority, std::memory_order_relaxed);
  stream_.store(&stream, std::memory_order_release);
  return true;
}

// [core.device.error] Nothing of the state is touched after the unlock that publishes
// completion: a synchronize() marker's finisher holds no reference to it, and its waiter may
// free it once wait() has returned (wait() takes the mutex last, after the finisher left it).
void EventState::finish(std::exception_ptr error) {
  ExecutorCore& core = core_;
  const ExecutionPriority priority = priority_.load(std::memory_order_relaxed);
  std::vector<Continuation> continuations;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    error_ = std::move(error);
    continuations.swap(continuations_);
    complete_.store(true, std::memory_order_release);
    done_cv_.notify_all();
  }
  for (Continuation& c : continuations) run(core, priority, c);
}

void EventState::on_complete(std::function<void()> fn) {
  add({std::move(fn), false});
}

void EventState::then(std::function<void()> fn) {
  add({std::move(fn), true});
}

void EventState::add(Continuation continuation) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!complete_.load(std::memory_order_relaxed)) {
      continuations_.push_back(std::move(continuation));
      return;
    }
  }
  run(core_, priority_.load(std::memory_order_relaxed), continuation);
}

void EventState::run(ExecutorCore& core, ExecutionPriority priority, Continuation& continuation) {
  if (!continuation.posted) {
    continuation.fn();
    return;
  }
  post_function(core, priority, [fn = std::move(continuation.fn)] { run_callback(fn); });
}

void EventState::wait() {
  if (Worker* worker = core_.current_worker()) {
    worker->help_until([this] { return complete(); });  // [core.help] never block a worker
  }
  std::unique_lock<std::mutex> lock(mutex_);  // also the hand-over from finish()
  done_cv_.wait(lock, [this] { return complete(); });
}

bool EventState::wait_until(std::chrono::steady_clock::time_point deadline) {
  if (Worker* worker = core_.current_worker()) {
    if (!worker->help_until([this] { return complete(); }, deadline)) return false;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  return done_cv_.wait_until(lock, deadline, [this] { return complete(); });
}

}  // namespace neat::detail

namespace neat {

Event::Event(ParallelExecutor& executor)
    : state_(std::make_shared<detail::EventState>(detail::core_of(executor))) {}

bool Event::recorded() const noexcept {
  return state_->recorded();
}

bool Event::query() const noexcept {
  return state_->complete();
}

std::exception_ptr Event::error() const noexcept {
  return state_->error();
}

void Event::then(std::function<void()> callback) const {
  if (!callback) throw Error("Event::then: the callback is empty");
  state_->then(std::move(callback));
}

void Event::wait() const {
  if (!state_->complete() && detail::running_stream() != nullptr &&
      detail::running_stream() == state_->stream()) {
    throw Error(
        "Event::wait: called from the work of the stream that recorded the event, "
        "which would wait for itself");
  }
  state_->wait();
  if (std::exception_ptr failure = state_->error()) std::rethrow_exception(failure);
}

WaitStatus Event::wait_for(std::chrono::nanoseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  return state_->wait_until(deadline) ? WaitStatus::done : WaitStatus::timeout;
}

}  // namespace neat
