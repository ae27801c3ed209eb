// IdleNotifier: lets idle workers sleep without missing work published meanwhile (an event
// count, Dekker-style). [core.sleep]
//
// Sleeper:   key = prepare_wait(); if (work visible) cancel_wait(); else commit_wait(key);
// Publisher: publish work; notify_one() / notify_all().
// The seq_cst operations on both sides order "announce waiter" against "publish work": either
// the publisher sees the waiter and bumps the epoch (so commit_wait returns), or the sleeper's
// re-check sees the work. The sleep itself is bounded (k_max_sleep): a sleeper looks for work
// again at least that often, so a wake-up lost anywhere costs latency, never a hang.
//
// On Linux the sleep is a private futex on the epoch word, called directly: one system call to
// sleep, one to wake, no lock. (libstdc++ 12's std::atomic::wait has no time limit, and a
// condition variable measured a p99 wake-up of milliseconds here; see docs/performance.md.)
// Elsewhere it is a condition variable with the same contract.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <ctime>
#else
#include <condition_variable>
#include <mutex>
#endif

namespace neat::detail {

class IdleNotifier {
 public:
  static constexpr std::chrono::milliseconds k_max_sleep{100};

  [[nodiscard]] std::uint32_t prepare_wait() noexcept {
    waiters_.fetch_add(1, std::memory_order_seq_cst);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    return epoch_.load(std::memory_order_seq_cst);
  }
  void cancel_wait() noexcept { waiters_.fetch_sub(1, std::memory_order_seq_cst); }

  /// Sleep until notified or k_max_sleep passed. True when notified (the epoch moved).
  bool commit_wait(std::uint32_t key) {
    sleep_while_epoch_is(key);
    waiters_.fetch_sub(1, std::memory_order_seq_cst);
    return epoch_.load(std::memory_order_seq_cst) != key;
  }

  /// Wake up to `count` sleepers. Cheap (a fence and a load) when nobody sleeps.
  void notify(std::uint32_t count) noexcept {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (waiters_.load(std::memory_order_relaxed) == 0) return;
    bump_epoch_and_wake(count);
  }
  void notify_one() noexcept { notify(1); }
  void notify_all() noexcept { notify(0x7FFFFFFFu); }

  [[nodiscard]] std::uint32_t sleepers() const noexcept {
    return waiters_.load(std::memory_order_relaxed);
  }

 private:
#if defined(__linux__)
  // The futex compares the epoch word with `key` in the kernel, atomically with going to sleep:
  // a bump between the caller's check and the sleep makes the call return at once.
  void sleep_while_epoch_is(std::uint32_t key) noexcept {
    const auto ns = std::chrono::nanoseconds(k_max_sleep).count();
    timespec timeout{.tv_sec = static_cast<time_t>(ns / 1'000'000'000),
                     .tv_nsec = static_cast<long>(ns % 1'000'000'000)};
    if (epoch_.load(std::memory_order_seq_cst) != key) return;
    syscall(SYS_futex, epoch_word(), FUTEX_WAIT_PRIVATE, key, &timeout, nullptr, 0);
  }
  void bump_epoch_and_wake(std::uint32_t count) noexcept {
    epoch_.fetch_add(1, std::memory_order_seq_cst);
    syscall(SYS_futex, epoch_word(), FUTEX_WAKE_PRIVATE, count, nullptr, nullptr, 0);
  }
  std::uint32_t* epoch_word() noexcept {
    static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
    return reinterpret_cast<std::uint32_t*>(&epoch_);
  }
#else
  void sleep_while_epoch_is(std::uint32_t key) {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait_for(lock, k_max_sleep, [&] { return epoch_.load(std::memory_order_seq_cst) != key; });
  }
  void bump_epoch_and_wake(std::uint32_t count) noexcept {
    {
      // Under the mutex, so a sleeper between its predicate check and its wait cannot miss it.
      std::lock_guard<std::mutex> lock(mutex_);
      epoch_.fetch_add(1, std::memory_order_seq_cst);
    }
    if (count == 1) {
      cv_.notify_one();
    } else {
      cv_.notify_all();
    }
  }
  std::mutex mutex_;
  std::condition_variable cv_;
#endif

  alignas(64) std::atomic<std::uint32_t> epoch_{0};
  alignas(64) std::atomic<std::uint32_t> waiters_{0};
};

}  // namespace neat::detail
