// Heap tally of the neat_bench binary. alloc_counter.cpp replaces the global operator new and
// delete (every form: plain, array, nothrow, sized, aligned) with versions that put a 16-byte
// header before each block recording its requested size and whether it was counted. While
// counting is on, each allocation adds its requested size to the live total and bumps the
// allocation count; freeing a counted block subtracts its size whenever it happens. So
// live_bytes = bytes requested while counting was on and not yet freed, exactly (malloc's own
// rounding and headers, and memory TBB or OpenMP take from malloc directly, are not included).
//
// Thread-safety: the tallies are relaxed atomics; start/stop from one thread.
// Outside a counting window the hooks cost one relaxed load, so timings are not disturbed.
//
//   neat::bench::AllocWindow window;             // counting on, tallies zeroed
//   auto graph = build();
//   auto bytes = window.tally().live_bytes;      // bytes the build still holds
#pragma once

#include <cstdint>

namespace neat::bench {

struct AllocTally {
  std::int64_t live_bytes = 0;    // counted bytes not yet freed
  std::uint64_t allocations = 0;  // operator new calls while counting
};

void start_alloc_counting() noexcept;  // zero the tallies and count from now
void stop_alloc_counting() noexcept;   // stop counting new blocks (frees still subtract)
AllocTally alloc_tally() noexcept;

/// Counting on for its lifetime.
class AllocWindow {
 public:
  AllocWindow() noexcept { start_alloc_counting(); }
  ~AllocWindow() { stop_alloc_counting(); }
  AllocWindow(const AllocWindow&) = delete;
  AllocWindow& operator=(const AllocWindow&) = delete;
  [[nodiscard]] AllocTally tally() const noexcept { return alloc_tally(); }
};

}  // namespace neat::bench
