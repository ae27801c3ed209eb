// IdleNotifier: lets idle workers sleep without missing work published meanwhile (an event
// count, Dekker-style). [core.sleep]
//
// Sleeper:   key = prepare_wait(); if (work visible) cancel_wait(); else commit_wait(key);
// Publisher: publish work; notify_one() / notify_all().
// The seq_cst operations on both sides order "announce waiter" against "publish work": either
// the publisher sees the waiter and bumps the epoch (so commit_wait returns), or the sleeper's
// re-check sees the work. The sleep itself is bounded (k_max_sleep): a sleeper looks for work
// again at least that often, so a wake-up lost anywhere costs latency, never a hang.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace neat::detail {

class IdleNotifier {
 public:
  static constexpr std::chrono::milliseconds k_max_sleep{20};

  [[nodiscard]] std::uint32_t prepare_wait() noexcept {
    waiters_.fetch_add(1, std::memory_order_seq_cst);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    return epoch_.load(std::memory_order_seq_cst);
  }
  void cancel_wait() noexcept { waiters_.fetch_sub(1, std::memory_order_seq_cst); }
  /// Sleep until notified or k_max_sleep passed. True when notified.
  bool commit_wait(std::uint32_t key) {
    bool notified = false;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      notified = cv_.wait_for(lock, k_max_sleep,
                              [&] { return epoch_.load(std::memory_order_seq_cst) != key; });
    }
    waiters_.fetch_sub(1, std::memory_order_seq_cst);
    return notified;
  }

  /// Wake up to `count` sleepers. Cheap (a fence and a load) when nobody sleeps.
  void notify(std::uint32_t count) noexcept {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (waiters_.load(std::memory_order_relaxed) == 0) return;
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
  void notify_one() noexcept { notify(1); }
  void notify_all() noexcept { notify(0xFFFFFFFFu); }

  [[nodiscard]] std::uint32_t sleepers() const noexcept {
    return waiters_.load(std::memory_order_relaxed);
  }

 private:
  alignas(64) std::atomic<std::uint32_t> epoch_{0};
  alignas(64) std::atomic<std::uint32_t> waiters_{0};
  std::mutex mutex_;
  std::condition_variable cv_;
};

}  // namespace neat::detail
