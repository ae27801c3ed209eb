// IdleNotifier: lets idle workers sleep on a futex without missing work published meanwhile
// (an event count, Dekker-style). [core.sleep]
//
// Sleeper:   key = prepare_wait(); if (work visible) cancel_wait(); else commit_wait(key);
// Publisher: publish work; notify_one() / notify_all().
// The seq_cst operations on both sides order "announce waiter" against "publish work": either
// the publisher sees the waiter and bumps the epoch (so commit_wait returns), or the sleeper's
// re-check sees the work.
#pragma once

#include <atomic>
#include <cstdint>

namespace neat::detail {

class IdleNotifier {
 public:
  [[nodiscard]] std::uint32_t prepare_wait() noexcept {
    waiters_.fetch_add(1, std::memory_order_seq_cst);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    return epoch_.load(std::memory_order_seq_cst);
  }
  void cancel_wait() noexcept { waiters_.fetch_sub(1, std::memory_order_seq_cst); }
  void commit_wait(std::uint32_t key) noexcept {
    while (epoch_.load(std::memory_order_seq_cst) == key) {
      epoch_.wait(key, std::memory_order_seq_cst);
    }
    waiters_.fetch_sub(1, std::memory_order_seq_cst);
  }

  /// Wake up to `count` sleepers. Cheap (a fence and a load) when nobody sleeps.
  void notify(std::uint32_t count) noexcept {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (waiters_.load(std::memory_order_relaxed) == 0) return;
    epoch_.fetch_add(1, std::memory_order_seq_cst);
    if (count == 1) {
      epoch_.notify_one();
    } else {
      epoch_.notify_all();
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
};

}  // namespace neat::detail
