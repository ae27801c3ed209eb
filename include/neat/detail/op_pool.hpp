// OpPool: a process-wide recycling allocator for scheduler operations (ExecutionScheduler::submit
// allocates each operation with its shared state in one block). Internal.
//
// Why: an operation is allocated by the submitting thread and freed by a worker. With malloc,
// that pattern misses the thread caches on both sides and was half of a submission's cost.
// Here a freed block goes on a lock-free stack per size class (a push: one CAS), and an
// allocating thread takes the whole stack at once into its own cache (one exchange), so no
// thread ever pops a shared stack and ABA cannot arise.
//
// Blocks are 64-byte granules up to 1 KiB; larger or over-aligned requests use operator new.
// Freed blocks are kept for reuse, never returned to the system before their last owner thread
// exits: the pool holds at most the peak number of operations alive at once. Built with
// AddressSanitizer, the pool is bypassed so that use-after-free of an operation is still found.
//
// Thread-safety: allocate and deallocate may be called from any thread, concurrently.
#pragma once

#include <cstddef>
#include <memory>
#include <new>

namespace neat::detail {

class OpPool {
 public:
  static constexpr std::size_t k_granule = 64;
  static constexpr std::size_t k_classes = 16;

  static void* allocate(std::size_t bytes);
  static void deallocate(void* block, std::size_t bytes) noexcept;
};

/// A std::allocator-like adapter for std::allocate_shared.
template <class T>
struct PoolAllocator {
  using value_type = T;
  PoolAllocator() noexcept = default;
  template <class U>
  explicit PoolAllocator(const PoolAllocator<U>& /*other*/) noexcept {}

  T* allocate(std::size_t n) {
    if constexpr (alignof(T) > __STDCPP_DEFAULT_NEW_ALIGNMENT__) {
      return std::allocator<T>{}.allocate(n);
    } else {
      return static_cast<T*>(OpPool::allocate(n * sizeof(T)));
    }
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if constexpr (alignof(T) > __STDCPP_DEFAULT_NEW_ALIGNMENT__) {
      std::allocator<T>{}.deallocate(p, n);
    } else {
      OpPool::deallocate(p, n * sizeof(T));
    }
  }
  template <class U>
  friend bool operator==(const PoolAllocator& /*a*/, const PoolAllocator<U>& /*b*/) noexcept {
    return true;
  }
};

}  // namespace neat::detail
