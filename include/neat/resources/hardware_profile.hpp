// HardwareDetector: what this machine has and what this process may use of it, in one value.
// The CPU topology (logical CPUs, physical cores, packages, NUMA nodes, caches) comes from hwloc
// when neatsched was built with it, else from /sys/devices/system (the same answers); the usable
// CPUs from the affinity mask and cgroup cpu.max (CpuBudget); memory from /proc and the cgroup
// (MemorySample); GPUs from the CUDA runtime, loaded at run time when the build allows it
// (NEAT_CUDA, cuda_available()) and one is installed, else `gpu_status` says why not. It holds
// the executor's worker count (cpu_budget.usable, what read_cpu_budget() gives) and the
// PerformanceProfiler's key (fingerprint, equal to read_hardware_fingerprint()).
//
// Thread-safety: free functions without shared state; safe from any thread. detect_hardware()
// reads a few hundred small files or loads an hwloc topology (milliseconds): call it once and
// keep the value, not per operation. The formatting functions are pure.
//
// Usage:
//   const neat::HardwareProfile hw = neat::detect_hardware();      // hwloc when built with it
//   std::cout << neat::format_hardware_profile(hw);                // what `neatsched hw` prints
//   std::size_t workers = hw.cpu_budget.usable;
//   std::string key = hw.fingerprint.text();                      // == read_hardware_fingerprint()
//   auto fs = neat::detect_hardware({.backend = neat::HardwareBackend::sysfs});  // the fallback
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "neat/resources/cpu_budget.hpp"
#include "neat/resources/hardware_fingerprint.hpp"
#include "neat/resources/memory_sample.hpp"

namespace neat {

/// One NUMA node: its OS index, the logical CPUs it holds (OS numbers, ascending; empty for a
/// memory-only node) and its memory when known.
struct NumaNode {
  unsigned index = 0;
  std::vector<unsigned> cpus;
  std::optional<std::uint64_t> memory_bytes;
  friend bool operator==(const NumaNode&, const NumaNode&) = default;
};

/// One kind of cache: `count` identical instances of `size_bytes` each, every one shared by
/// `shared_by` logical CPUs. Type is "data", "instruction" or "unified".
struct CacheInfo {
  unsigned level = 0;
  std::string type;
  std::uint64_t size_bytes = 0;
  unsigned line_bytes = 0;
  std::size_t shared_by = 0;
  std::size_t count = 0;
  friend bool operator==(const CacheInfo&, const CacheInfo&) = default;
};

/// The machine's CPU topology, whole (not only what this process may use: that is CpuBudget).
struct CpuTopology {
  std::string source;            // "hwloc" or "sysfs"
  std::size_t logical_cpus = 0;  // online hardware threads
  std::size_t physical_cores = 0;
  std::size_t packages = 0;          // sockets
  std::vector<NumaNode> numa_nodes;  // by index
  std::vector<CacheInfo> caches;     // by level, then type
};

/// A GPU as CUDA reports it. [resources.gpu]
struct GpuDevice {
  int index = 0;
  std::string name;
  std::uint64_t total_bytes = 0;
  std::uint64_t free_bytes = 0;
};

struct HardwareProfile {
  std::string cpu_model;  // parse_cpu_model(/proc/cpuinfo)
  CpuTopology topology;
  CpuBudget cpu_budget;  // the CPUs this process may use: the executor's worker count
  MemorySample memory;
  std::vector<GpuDevice> gpus;      // empty without CUDA or when CUDA failed
  std::string gpu_status;           // "ok", else why none (no CUDA build, no runtime, an error)
  HardwareFingerprint fingerprint;  // fingerprint_of(*this)
};

/// Where the CPU topology comes from [resources.hw]. `automatic`: hwloc when built with it and
/// it loads, else sysfs. hwloc is asked for the whole machine (CPUs outside this process's
/// cpuset included) and for instruction caches, so that both backends describe the same thing.
enum class HardwareBackend { automatic, hwloc, sysfs };

struct DetectOptions {
  HardwareBackend backend = HardwareBackend::automatic;
};

/// Whether this build of neatsched has the hwloc backend.
[[nodiscard]] bool hwloc_available() noexcept;

/// Whether this build looks for CUDA GPUs (NEAT_CUDA=AUTO or ON): it then loads the CUDA
/// runtime at run time when one is installed. [resources.cuda]
[[nodiscard]] bool cuda_available() noexcept;

/// "auto", "hwloc" or "sysfs" -> the backend. Throws neat::Error naming the text and the choices.
[[nodiscard]] HardwareBackend parse_hardware_backend(std::string_view name);

/// Detect the hardware now. Throws neat::Error when `options.backend` is hwloc and this build
/// has no hwloc or hwloc fails to load the topology; with automatic or sysfs it never throws
/// (what cannot be read stays empty or zero).
[[nodiscard]] HardwareProfile detect_hardware(DetectOptions options = {});

/// The profiler's key from a profile: its cpu_model, cpu_budget.usable and memory.total_bytes
/// rounded to GiB. Equals read_hardware_fingerprint() for a profile of this machine.
[[nodiscard]] HardwareFingerprint fingerprint_of(const HardwareProfile& profile);

/// A readable report (what `neatsched hw` prints): aligned "name  value" lines, sizes in
/// KiB/MiB/GiB, CPU lists as ranges ("0-3,8"). Ends with a newline.
[[nodiscard]] std::string format_hardware_profile(const HardwareProfile& profile);

/// The profile as a JSON object (UTF-8 text, 2-space indent). Keys: cpu_model, topology
/// {source, logical_cpus, physical_cores, packages, numa_nodes [{index, cpus, cpu_list,
/// memory_bytes|null}], caches [{level, type, size_bytes, line_bytes, shared_by, count}]},
/// cpu_budget {online, affinity, quota|null, usable, source}, memory {total_bytes,
/// available_bytes, process_rss_bytes, cgroup_limit_bytes|null, cgroup_current_bytes|null,
/// cgroup_dir, headroom_bytes}, gpus [{index, name, total_bytes, free_bytes}], gpu_status,
/// fingerprint {text, cpu_model, logical_cpus, memory_gib}.
[[nodiscard]] std::string hardware_profile_to_json(const HardwareProfile& profile);

}  // namespace neat
