// Append-only vector whose elements never move: storage grows in fixed chunks, so pointers to
// elements stay valid and growth never copies. Not thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace neat::detail {

template <class T, std::size_t ChunkShift = 12>
class ChunkedVector {
 public:
  static constexpr std::size_t k_chunk_size = std::size_t{1} << ChunkShift;

  ChunkedVector() = default;
  ChunkedVector(const ChunkedVector&) = delete;
  ChunkedVector& operator=(const ChunkedVector&) = delete;
  ~ChunkedVector() { clear(); }

  template <class... Args>
  T& emplace_back(Args&&... args) {
    const std::size_t slot = size_ & (k_chunk_size - 1);
    if (slot == 0 && (size_ >> ChunkShift) == chunks_.size()) {
      chunks_.emplace_back(static_cast<T*>(
          ::operator new(sizeof(T) * k_chunk_size, std::align_val_t{alignof(T)})));
    }
    T* where = chunks_[size_ >> ChunkShift].get() + slot;
    ::new (static_cast<void*>(where)) T(std::forward<Args>(args)...);
    ++size_;
    return *where;
  }

  [[nodiscard]] T& operator[](std::size_t i) noexcept {
    return chunks_[i >> ChunkShift].get()[i & (k_chunk_size - 1)];
  }
  [[nodiscard]] const T& operator[](std::size_t i) const noexcept {
    return chunks_[i >> ChunkShift].get()[i & (k_chunk_size - 1)];
  }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] std::size_t capacity_bytes() const noexcept {
    return chunks_.size() * k_chunk_size * sizeof(T);
  }

  void clear() noexcept {
    for (std::size_t i = size_; i > 0; --i) (*this)[i - 1].~T();
    size_ = 0;
    chunks_.clear();
  }

 private:
  struct ChunkDeleter {
    void operator()(T* p) const noexcept { ::operator delete(p, std::align_val_t{alignof(T)}); }
  };
  std::vector<std::unique_ptr<T, ChunkDeleter>> chunks_;
  std::size_t size_ = 0;
};

}  // namespace neat::detail
