// Task<T>: the coroutine type of preemptible operations. An ExecutionScheduler operation whose
// callable returns a Task<T> may `co_await ctx.checkpoint()`: when the scheduler wants its
// worker for something more urgent, the operation parks there (status `paused`) and resumes
// later, possibly on another worker, from where it stopped. [sched.preempt]
//
// The scheduler owns and drives the task; user code only writes the coroutine:
//
//   auto op = scheduler.submit({.descriptor = {.name = "scan"}},
//                              [](neat::OpContext& ctx) -> neat::Task<int> {
//                                int sum = 0;
//                                for (int i = 0; i < 1000; ++i) {
//                                  sum += step(i);
//                                  co_await ctx.checkpoint();   // a load when nothing waits
//                                }
//                                co_return sum;
//                              });
//
// Checkpoints belong in the operation's own coroutine body (not in nested coroutines).
// Thread-safety: a Task is resumed by one worker at a time, under the scheduler's control.
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <utility>

namespace neat {

template <class T>
class Task;

namespace detail {

template <class T>
struct TaskPromiseBase {
  std::exception_ptr error;
  std::suspend_always initial_suspend() noexcept { return {}; }
  std::suspend_always final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { error = std::current_exception(); }
};

template <class T>
struct TaskPromise : TaskPromiseBase<T> {
  std::optional<T> value;
  Task<T> get_return_object() noexcept;
  void return_value(T v) { value.emplace(std::move(v)); }
};

template <>
struct TaskPromise<void> : TaskPromiseBase<void> {
  Task<void> get_return_object() noexcept;
  void return_void() noexcept {}
};

}  // namespace detail

template <class T>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::TaskPromise<T>;
  using value_type = T;

  Task() = default;
  explicit Task(std::coroutine_handle<promise_type> handle) noexcept : handle_(handle) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { reset(); }

  /// Run until the next suspension; true when the coroutine finished.
  bool resume() {
    handle_.resume();
    return handle_.done();
  }
  /// After it finished: the value, or the exception the body threw.
  T take() {
    promise_type& p = handle_.promise();
    if (p.error) std::rethrow_exception(p.error);
    if constexpr (!std::is_void_v<T>) return std::move(*p.value);
  }

 private:
  void reset() noexcept {
    if (handle_) handle_.destroy();
    handle_ = {};
  }
  std::coroutine_handle<promise_type> handle_;
};

template <class T>
Task<T> detail::TaskPromise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<TaskPromise<T>>::from_promise(*this));
}
inline Task<void> detail::TaskPromise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<TaskPromise<void>>::from_promise(*this));
}

template <class T>
struct IsTask : std::false_type {};
template <class T>
struct IsTask<Task<T>> : std::true_type {};

}  // namespace neat
