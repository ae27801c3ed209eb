// A Chase-Lev work-stealing deque of pointer-sized items (Lê, Pop, Cohen, Zappa Nardelli,
// "Correct and Efficient Work-Stealing for Weak Memory Models", PPoPP 2013).
// The owner pushes and pops at the bottom; any thread steals from the top. Grows without bound;
// retired arrays are kept until destruction, because a thief may still be reading one.
//
// Thread-safety: push/pop only from the owning thread; steal/empty/size_hint from any thread.
// Item value 0 means "nothing" and must never be pushed.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "neat/detail/assert.hpp"

namespace neat::detail {

class WorkStealingDeque {
 public:
  using Item = std::uintptr_t;

  explicit WorkStealingDeque(std::int64_t initial_capacity = 256)
      : array_(new Array(initial_capacity)) {
    retired_.emplace_back(array_.load(std::memory_order_relaxed));
  }
  WorkStealingDeque(const WorkStealingDeque&) = delete;
  WorkStealingDeque& operator=(const WorkStealingDeque&) = delete;

  /// Owner only.
  void push(Item item) {
    NEAT_ASSERT(item != 0, "the null item cannot be pushed");
    const std::int64_t b = bottom_.load(std::memory_order_relaxed);
    const std::int64_t t = top_.load(std::memory_order_acquire);
    Array* a = array_.load(std::memory_order_relaxed);
    if (b - t > a->capacity - 1) a = grow(a, t, b);
    a->put(b, item);
    // Release: a thief that reads the new bottom also sees the item and what it points to.
    bottom_.store(b + 1, std::memory_order_release);
  }

  /// Owner only. Returns 0 when empty.
  Item pop() {
    const std::int64_t b = bottom_.load(std::memory_order_relaxed) - 1;
    Array* a = array_.load(std::memory_order_relaxed);
    bottom_.store(b, std::memory_order_relaxed);
    // seq_cst fence: orders the bottom store before the top load against a concurrent steal.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    std::int64_t t = top_.load(std::memory_order_relaxed);
    if (t > b) {  // empty
      bottom_.store(b + 1, std::memory_order_relaxed);
      return 0;
    }
    Item item = a->get(b);
    if (t == b) {  // last item: race the thieves for it
      if (!top_.compare_exchange_strong(t, t + 1, std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) {
        item = 0;
      }
      bottom_.store(b + 1, std::memory_order_relaxed);
    }
    return item;
  }

  /// Any thread. Returns 0 when empty or when it lost a race (the caller may retry).
  Item steal() {
    std::int64_t t = top_.load(std::memory_order_acquire);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    const std::int64_t b = bottom_.load(std::memory_order_acquire);
    if (t >= b) return 0;
    Array* a = array_.load(std::memory_order_acquire);
    const Item item = a->get(t);
    if (!top_.compare_exchange_strong(t, t + 1, std::memory_order_seq_cst,
                                      std::memory_order_relaxed)) {
      return 0;
    }
    return item;
  }

  /// Any thread; a hint only (may be stale by the time it returns).
  [[nodiscard]] bool empty() const noexcept {
    return bottom_.load(std::memory_order_relaxed) <= top_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::int64_t size_hint() const noexcept {
    const std::int64_t n =
        bottom_.load(std::memory_order_relaxed) - top_.load(std::memory_order_relaxed);
    return n > 0 ? n : 0;
  }

 private:
  struct Array {
    explicit Array(std::int64_t cap)
        : capacity(cap),
          mask(cap - 1),
          slots(new std::atomic<Item>[static_cast<std::size_t>(cap)]) {
      NEAT_ASSERT(cap > 0 && (cap & (cap - 1)) == 0, "capacity must be a power of two");
    }
    void put(std::int64_t i, Item item) noexcept {
      slots[static_cast<std::size_t>(i & mask)].store(item, std::memory_order_relaxed);
    }
    [[nodiscard]] Item get(std::int64_t i) const noexcept {
      return slots[static_cast<std::size_t>(i & mask)].load(std::memory_order_relaxed);
    }
    std::int64_t capacity;
    std::int64_t mask;
    std::unique_ptr<std::atomic<Item>[]> slots;
  };

  Array* grow(Array* old, std::int64_t top, std::int64_t bottom) {
    auto bigger = std::make_unique<Array>(old->capacity * 2);
    for (std::int64_t i = top; i < bottom; ++i) bigger->put(i, old->get(i));
    Array* raw = bigger.get();
    retired_.push_back(std::move(bigger));
    array_.store(raw, std::memory_order_release);
    return raw;
  }

  alignas(64) std::atomic<std::int64_t> top_{0};
  alignas(64) std::atomic<std::int64_t> bottom_{0};
  alignas(64) std::atomic<Array*> array_;
  std::vector<std::unique_ptr<Array>> retired_;  // owner only; includes the live array
};

}  // namespace neat::detail
