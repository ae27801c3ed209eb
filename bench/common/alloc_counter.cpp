// Replacement global operator new/delete that tally live bytes; see alloc_counter.hpp.
#include "alloc_counter.hpp"

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace neat::bench {
namespace {

// Relaxed everywhere: the tallies are statistics read after the counted work finished on the
// reading thread (the build benchmark allocates on its own thread only).
std::atomic<bool> g_counting{false};
std::atomic<std::int64_t> g_live_bytes{0};
std::atomic<std::uint64_t> g_allocations{0};

constexpr std::size_t k_header = 16;  // keeps the default new alignment of 16

struct Header {
  std::size_t size;
  std::size_t counted;
};
static_assert(sizeof(Header) == k_header);

void* finish_allocation(void* base, std::size_t offset, std::size_t size) noexcept {
  auto* user = static_cast<unsigned char*>(base) + offset;
  auto* header = reinterpret_cast<Header*>(user - k_header);
  header->size = size;
  header->counted = g_counting.load(std::memory_order_relaxed) ? 1 : 0;
  if (header->counted != 0) {
    g_live_bytes.fetch_add(static_cast<std::int64_t>(size), std::memory_order_relaxed);
    g_allocations.fetch_add(1, std::memory_order_relaxed);
  }
  return user;
}

void forget(void* user) noexcept {
  const auto* header =
      reinterpret_cast<const Header*>(static_cast<unsigned char*>(user) - k_header);
  if (header->counted != 0) {
    g_live_bytes.fetch_sub(static_cast<std::int64_t>(header->size), std::memory_order_relaxed);
  }
}

void* allocate(std::size_t size) noexcept {
  void* base = std::malloc(size + k_header);
  return base == nullptr ? nullptr : finish_allocation(base, k_header, size);
}

void* allocate_aligned(std::size_t size, std::align_val_t al) noexcept {
  const auto align = static_cast<std::size_t>(al);
  if (align <= k_header) return allocate(size);
  // The header lives in the last 16 bytes of an `align`-sized prefix.
  const std::size_t total = (size + align + align - 1) / align * align;
  void* base = std::aligned_alloc(align, total);
  return base == nullptr ? nullptr : finish_allocation(base, align, size);
}

void release(void* user) noexcept {
  if (user == nullptr) return;
  forget(user);
  std::free(static_cast<unsigned char*>(user) - k_header);
}

void release_aligned(void* user, std::align_val_t al) noexcept {
  const auto align = static_cast<std::size_t>(al);
  if (align <= k_header) return release(user);
  if (user == nullptr) return;
  forget(user);
  std::free(static_cast<unsigned char*>(user) - align);
}

void* allocate_or_throw(std::size_t size) {
  if (void* p = allocate(size)) return p;
  throw std::bad_alloc();
}

void* allocate_aligned_or_throw(std::size_t size, std::align_val_t al) {
  if (void* p = allocate_aligned(size, al)) return p;
  throw std::bad_alloc();
}

}  // namespace

void start_alloc_counting() noexcept {
  g_live_bytes.store(0, std::memory_order_relaxed);
  g_allocations.store(0, std::memory_order_relaxed);
  g_counting.store(true, std::memory_order_relaxed);
}

void stop_alloc_counting() noexcept {
  g_counting.store(false, std::memory_order_relaxed);
}

AllocTally alloc_tally() noexcept {
  return {g_live_bytes.load(std::memory_order_relaxed),
          g_allocations.load(std::memory_order_relaxed)};
}

}  // namespace neat::bench

// ---- The replaceable global functions ---------------------------------------------------------
using neat::bench::allocate;
using neat::bench::allocate_aligned;
using neat::bench::allocate_aligned_or_throw;
using neat::bench::allocate_or_throw;
using neat::bench::release;
using neat::bench::release_aligned;

void* operator new(std::size_t n) {
  return allocate_or_throw(n);
}
void* operator new[](std::size_t n) {
  return allocate_or_throw(n);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return allocate(n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return allocate(n);
}
void* operator new(std::size_t n, std::align_val_t al) {
  return allocate_aligned_or_throw(n, al);
}
void* operator new[](std::size_t n, std::align_val_t al) {
  return allocate_aligned_or_throw(n, al);
}
void* operator new(std::size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {
  return allocate_aligned(n, al);
}
void* operator new[](std::size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {
  return allocate_aligned(n, al);
}

void operator delete(void* p) noexcept {
  release(p);
}
void operator delete[](void* p) noexcept {
  release(p);
}
void operator delete(void* p, std::size_t) noexcept {
  release(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  release(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  release(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  release(p);
}
void operator delete(void* p, std::align_val_t al) noexcept {
  release_aligned(p, al);
}
void operator delete[](void* p, std::align_val_t al) noexcept {
  release_aligned(p, al);
}
void operator delete(void* p, std::size_t, std::align_val_t al) noexcept {
  release_aligned(p, al);
}
void operator delete[](void* p, std::size_t, std::align_val_t al) noexcept {
  release_aligned(p, al);
}
void operator delete(void* p, std::align_val_t al, const std::nothrow_t&) noexcept {
  release_aligned(p, al);
}
void operator delete[](void* p, std::align_val_t al, const std::nothrow_t&) noexcept {
  release_aligned(p, al);
}
