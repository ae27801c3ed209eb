#include <new>

#include "neat/detail/chunked_vector.hpp"

namespace neat::detail {

// Plain aligned allocations. Transparent huge pages were tried here (madvise(MADV_HUGEPAGE)
// on 2 MiB-aligned chunks): with the kernel's default "defrag=madvise" the first touch waits
// for compaction and building got 5-10x slower on fresh memory.
void* allocate_chunk(std::size_t bytes, std::size_t alignment) {
  return ::operator new (bytes, std::align_val_t{alignment});
}

void free_chunk(void* chunk, std::size_t /*bytes*/, std::size_t alignment) noexcept {
  ::operator delete (chunk, std::align_val_t{alignment});
}

}  // namespace neat::detail
