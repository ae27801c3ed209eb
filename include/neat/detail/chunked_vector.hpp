// Append-only vector whose elements never move: storage grows in chunks, so pointers to
// elements stay valid and growth never copies. Chunks double from 64 elements up to 2^15 and
// then stay that size, so small graphs stay small and big ones waste at most one chunk.
// Not thread-safe.
#pragma once

#include <bit>
#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace neat::detail {

/// Allocate `bytes` for a chunk; release with free_chunk.
void* allocate_chunk(std::size_t bytes, std::size_t alignment);
void free_chunk(void* chunk, std::size_t bytes, std::size_t alignment) noexcept;

template <class T>
class ChunkedVector {
  static constexpr std::size_t k_first_shift = 6;  // first chunk: 64 elements
  static constexpr std::size_t k_last_shift = 15;  // chunks stop growing at 32768 elements
  static constexpr std::size_t k_growing_chunks = k_last_shift - k_first_shift + 1;
  // Elements held by the growing chunks together: 64 * (2^10 - 1).
  static constexpr std::size_t k_growing_total =
      (std::size_t{1} << k_first_shift) * ((std::size_t{1} << k_growing_chunks) - 1);

 public:
  ChunkedVector() = default;
  ChunkedVector(const ChunkedVector&) = delete;
  ChunkedVector& operator=(const ChunkedVector&) = delete;
  ~ChunkedVector() { clear(); }

  template <class... Args>
  T& emplace_back(Args&&... args) {
    if (size_ == capacity_) add_chunk();
    T* where = address(size_);
    ::new (static_cast<void*>(where)) T(std::forward<Args>(args)...);
    ++size_;
    return *where;
  }

  [[nodiscard]] T& operator[](std::size_t i) noexcept { return *address(i); }
  [[nodiscard]] const T& operator[](std::size_t i) const noexcept {
    return *const_cast<ChunkedVector*>(this)->address(i);
  }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] std::size_t capacity_bytes() const noexcept { return capacity_ * sizeof(T); }

  void clear() noexcept {
    for (std::size_t i = size_; i > 0; --i) address(i - 1)->~T();
    for (std::size_t c = 0; c < chunks_.size(); ++c) {
      free_chunk(chunks_[c], chunk_size(c) * sizeof(T), alignof(T));
    }
    chunks_.clear();
    size_ = 0;
    capacity_ = 0;
  }

 private:
  static constexpr std::size_t chunk_size(std::size_t chunk) noexcept {
    return std::size_t{1} << (k_first_shift + std::min(chunk, k_growing_chunks - 1));
  }

  [[nodiscard]] T* address(std::size_t i) noexcept {
    if (i < k_growing_total) {
      // Chunk c starts at 64 * (2^c - 1): c = floor(log2(i / 64 + 1)).
      const std::size_t c = std::bit_width((i >> k_first_shift) + 1) - 1;
      return chunks_[c] +
             (i - ((std::size_t{1} << (c + k_first_shift)) - (std::size_t{1} << k_first_shift)));
    }
    const std::size_t rest = i - k_growing_total;
    return chunks_[k_growing_chunks + (rest >> k_last_shift)] +
           (rest & ((std::size_t{1} << k_last_shift) - 1));
  }

  void add_chunk() {
    const std::size_t count = chunk_size(chunks_.size());
    chunks_.push_back(static_cast<T*>(allocate_chunk(count * sizeof(T), alignof(T))));
    capacity_ += count;
  }

  std::vector<T*> chunks_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace neat::detail
