#include "neat/detail/op_pool.hpp"

#include <array>
#include <atomic>

namespace neat::detail {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool k_pooling = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool k_pooling = false;
#else
constexpr bool k_pooling = true;
#endif
#else
constexpr bool k_pooling = true;
#endif

struct FreeBlock {
  FreeBlock* next;
};

struct alignas(64) SharedStack {
  std::atomic<FreeBlock*> head{nullptr};
};

// Blocks freed by any thread. Reachable from here until taken, so leak checkers see no leak.
std::array<SharedStack, OpPool::k_classes> g_freed;

// This thread's blocks, taken from g_freed in one exchange.
struct LocalCache {
  std::array<FreeBlock*, OpPool::k_classes> head{};
  LocalCache() = default;
  LocalCache(const LocalCache&) = delete;
  LocalCache& operator=(const LocalCache&) = delete;
  ~LocalCache() {
    for (std::size_t c = 0; c < OpPool::k_classes; ++c) {
      while (FreeBlock* block = head[c]) {
        head[c] = block->next;
        ::operator delete(block);
      }
    }
  }
};
thread_local LocalCache t_cache;

// Size class c holds blocks of (c + 1) granules.
std::size_t class_of(std::size_t bytes) noexcept {
  return bytes == 0 ? 0 : (bytes - 1) / OpPool::k_granule;
}

}  // namespace

void* OpPool::allocate(std::size_t bytes) {
  const std::size_t c = class_of(bytes);
  if (!k_pooling || c >= k_classes) return ::operator new(bytes);
  FreeBlock*& local = t_cache.head[c];
  if (local == nullptr) local = g_freed[c].head.exchange(nullptr, std::memory_order_acquire);
  if (local == nullptr) return ::operator new((c + 1) * k_granule);
  FreeBlock* block = local;
  local = block->next;
  return block;
}

void OpPool::deallocate(void* block, std::size_t bytes) noexcept {
  const std::size_t c = class_of(bytes);
  if (!k_pooling || c >= k_classes) {
    ::operator delete(block);
    return;
  }
  auto* freed = static_cast<FreeBlock*>(block);
  std::atomic<FreeBlock*>& head = g_freed[c].head;
  freed->next = head.load(std::memory_order_relaxed);
  while (!head.compare_exchange_weak(freed->next, freed, std::memory_order_release,
                                     std::memory_order_relaxed)) {
  }
}

}  // namespace neat::detail
