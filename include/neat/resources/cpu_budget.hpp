// The CPUs this process may really use: its affinity mask, capped by the cgroup v2 cpu.max
// quota. The ParallelExecutor sizes its pool from it. (HardwareDetector builds on this.)
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace neat {

struct CpuBudget {
  std::size_t online = 0;       // CPUs the machine has online
  std::size_t affinity = 0;     // CPUs in this process's affinity mask
  std::optional<double> quota;  // cgroup cpu.max quota / period, when limited
  std::size_t usable = 1;       // min(affinity, ceil(quota)), at least 1
  std::string source;           // where the numbers came from, for reports
};

/// Read the budget of the calling process. Never throws; missing files mean "no limit".
[[nodiscard]] CpuBudget read_cpu_budget();

/// Parse the text of a cgroup v2 cpu.max file ("max 100000" or "50000 100000"): the quota in
/// CPUs, or nullopt when unlimited or malformed.
[[nodiscard]] std::optional<double> parse_cpu_max(const std::string& text);

}  // namespace neat
