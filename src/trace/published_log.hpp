// PublishedLog: an append-only log with one writer and readers that may run at the same time.
// Items live in a chain of chunks that never move; the writer publishes the item count with a
// release store after writing each item, so a reader that acquires the count sees every item
// below it completely written, without a lock. [trace.log]
//
// Thread-safety: push_back() from one writer thread at a time (or under the caller's lock).
// for_each() and discard() may run concurrently with push_back(), but not with each other.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace neat::detail {

template <class T>
class PublishedLog {
  // Items are constructed in raw chunk storage and never destroyed one by one.
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  static constexpr std::size_t k_first_capacity = 256;
  static constexpr std::size_t k_max_capacity = 16384;

  PublishedLog() : head_(new Chunk(0, k_first_capacity)), tail_(head_) {}
  ~PublishedLog() {
    while (head_ != nullptr) delete std::exchange(head_, head_->next);
  }
  PublishedLog(const PublishedLog&) = delete;
  PublishedLog& operator=(const PublishedLog&) = delete;

  /// Writer only.
  void push_back(const T& value) {
    if (tail_used_ == tail_->capacity) {
      auto* next =
          new Chunk(tail_->base + tail_->capacity, std::min(2 * tail_->capacity, k_max_capacity));
      tail_->next = next;  // published by the release store below, with the item
      tail_ = next;
      tail_used_ = 0;
    }
    ::new (static_cast<void*>(tail_->items + tail_used_++)) T(value);
    // Release: the item (and a new chunk's link) is visible before the count that covers it.
    published_.store(tail_->base + tail_used_, std::memory_order_release);
  }

  /// Reader: call `visit(item)` for every item published and not discarded, in order.
  template <class F>
  void for_each(F&& visit) const {
    const std::size_t end = published_.load(std::memory_order_acquire);
    for (const Chunk* chunk = head_; chunk != nullptr;) {
      const std::size_t chunk_end = chunk->base + chunk->capacity;
      const std::size_t to = std::min(end, chunk_end);
      for (std::size_t i = std::max(begin_, chunk->base); i < to; ++i) {
        visit(*std::launder(chunk->items + (i - chunk->base)));
      }
      // The link may be read only once an item beyond this chunk is published.
      chunk = end > chunk_end ? chunk->next : nullptr;
    }
  }

  /// Reader: forget every item published so far and free the chunks the writer has left.
  void discard() {
    const std::size_t end = published_.load(std::memory_order_acquire);
    begin_ = end;
    while (head_->base + head_->capacity < end) delete std::exchange(head_, head_->next);
  }

  /// Reader: items published and not discarded.
  [[nodiscard]] std::size_t size() const {
    return published_.load(std::memory_order_acquire) - begin_;
  }

 private:
  struct Chunk {
    Chunk(std::size_t first, std::size_t size)
        : base(first), capacity(size), items(std::allocator<T>().allocate(size)) {}
    ~Chunk() { std::allocator<T>().deallocate(items, capacity); }
    Chunk(const Chunk&) = delete;
    Chunk& operator=(const Chunk&) = delete;

    const std::size_t base;  // index of items[0] in the whole log
    const std::size_t capacity;
    T* const items;  // raw storage: push_back constructs each item in place
    Chunk* next = nullptr;
  };

  // Reader side.
  Chunk* head_;
  std::size_t begin_ = 0;
  // Writer side.
  Chunk* tail_;
  std::size_t tail_used_ = 0;
  std::atomic<std::size_t> published_{0};
};

}  // namespace neat::detail
