// The backends of detect_hardware() and the sysfs text formats they read. Internal to
// neat::sched; the tests use them on literal strings and on fake /sys trees.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "neat/resources/hardware_profile.hpp"

namespace neat::detail {

/// A sysfs CPU list ("0-3,8,10-11\n") -> the CPU numbers, ascending, without repeats; empty
/// text -> none. nullopt when malformed (a reversed range, a non-number, a CPU above 65535).
[[nodiscard]] std::optional<std::vector<unsigned>> parse_cpu_list(std::string_view text);

/// The inverse: ascending CPU numbers -> "0-3,8,10-11" ("" for none).
[[nodiscard]] std::string format_cpu_list(const std::vector<unsigned>& cpus);

/// A sysfs cache size ("32K", "1024K", "8M", "1G", "512") -> bytes; nullopt when malformed.
[[nodiscard]] std::optional<std::uint64_t> parse_cache_size(std::string_view text);

/// Cache instances (count 1 each, any order) -> one CacheInfo per kind, counted, sorted by
/// level, type, size.
[[nodiscard]] std::vector<CacheInfo> summarize_caches(std::vector<CacheInfo> instances);

/// The topology from the files under `root` (normally /sys/devices/system): cpu/online,
/// cpu/cpuN/topology/*, cpu/cpuN/cache/indexK/*, node/nodeN/{cpulist,meminfo}. Never throws;
/// missing files give: every online CPU its own core, one package, one NUMA node holding every
/// CPU with unknown memory, no caches. Without cpu/online: CPUs 0..hardware_concurrency-1.
[[nodiscard]] CpuTopology read_sysfs_topology(const std::string& root = "/sys/devices/system");

/// The topology from hwloc, including CPUs outside this process's cpuset (the machine, not
/// the budget). Throws neat::Error when built without hwloc or when hwloc fails.
[[nodiscard]] CpuTopology read_hwloc_topology();

/// The GPUs and a status line. [resources.gpu] A build with NEAT_CUDA=AUTO|ON asks the CUDA
/// runtime, loaded at run time, for devices and memory; any failure gives no GPUs and the reason.
struct GpuReport {
  std::vector<GpuDevice> gpus;
  std::string status;
};
[[nodiscard]] GpuReport detect_gpus();

}  // namespace neat::detail
