// What memory this machine, this process and its cgroup use right now, read from /proc and the
// cgroup files (v2 memory.max / memory.current; v1 memory.limit_in_bytes / usage_in_bytes).
// The MemoryBudgetManager and the HardwareDetector build on it.
//
// Thread-safety: free functions without shared state; safe from any thread. A reading costs a
// few file reads (tens of microseconds) and never throws: what cannot be read stays empty.
//
// Usage:
//   const neat::MemorySample now = neat::read_memory_sample();
//   if (now.cgroup_limit_bytes) { ... the container's memory.max ... }
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace neat {

struct MemorySample {
  std::uint64_t total_bytes = 0;      // MemTotal of /proc/meminfo; 0 when unknown
  std::uint64_t available_bytes = 0;  // MemAvailable (falls back to MemFree)
  std::uint64_t process_rss_bytes = 0;                // resident set of this process
  std::optional<std::uint64_t> cgroup_limit_bytes;    // tightest limit; none when unlimited
  std::optional<std::uint64_t> cgroup_current_bytes;  // usage of the own cgroup
  std::string cgroup_dir;  // where the cgroup numbers came from; empty when none

  /// The memory this process may still count on: the smaller of what the machine has available
  /// and what the cgroup limit leaves.
  [[nodiscard]] std::uint64_t headroom_bytes() const noexcept;
};

/// Read the memory of this machine, process and cgroup now.
[[nodiscard]] MemorySample read_memory_sample();

/// The bytes of a cgroup v2 memory.max / memory.current text ("max\n" -> nullopt, "1073741824\n"
/// -> 1 GiB); nullopt when unlimited or malformed.
[[nodiscard]] std::optional<std::uint64_t> parse_cgroup_bytes(const std::string& text);

/// The resident set in bytes from the text of /proc/self/statm (second field, in pages).
[[nodiscard]] std::optional<std::uint64_t> parse_statm_resident_bytes(const std::string& statm,
                                                                       std::uint64_t page_size);

}  // namespace neat
