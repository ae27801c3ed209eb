// detect_hardware(): the topology from one backend, plus the CPU budget, memory, GPUs and the
// fingerprint. [resources.hw]
#include "neat/resources/hardware_profile.hpp"

#include <algorithm>
#include <tuple>

#include "hardware_backends.hpp"
#include "neat/common/error.hpp"
#include "system_files.hpp"

namespace neat {
namespace {

auto cache_order(const CacheInfo& c) {
  return std::tie(c.level, c.type, c.size_bytes, c.line_bytes, c.shared_by);
}

CpuTopology read_topology(HardwareBackend backend) {
  if (backend == HardwareBackend::sysfs ||
      (backend == HardwareBackend::automatic && !hwloc_available())) {
    return detail::read_sysfs_topology();
  }
  try {
    return detail::read_hwloc_topology();
  } catch (const Error&) {
    if (backend == HardwareBackend::hwloc) throw;
  }
  return detail::read_sysfs_topology();  // hwloc is built but failed: the fallback
}

}  // namespace

namespace detail {

std::vector<CacheInfo> summarize_caches(std::vector<CacheInfo> instances) {
  std::sort(instances.begin(), instances.end(),
            [](const CacheInfo& a, const CacheInfo& b) { return cache_order(a) < cache_order(b); });
  std::vector<CacheInfo> kinds;
  for (CacheInfo& cache : instances) {
    if (!kinds.empty() && cache_order(kinds.back()) == cache_order(cache)) {
      kinds.back().count += cache.count;
    } else {
      kinds.push_back(std::move(cache));
    }
  }
  return kinds;
}

}  // namespace detail

HardwareBackend parse_hardware_backend(std::string_view name) {
  if (name == "auto") return HardwareBackend::automatic;
  if (name == "hwloc") return HardwareBackend::hwloc;
  if (name == "sysfs") return HardwareBackend::sysfs;
  throw Error("hardware backend '" + std::string(name) + "': unknown (use auto, hwloc or sysfs)");
}

HardwareProfile detect_hardware(DetectOptions options) {
  HardwareProfile profile;
  profile.topology = read_topology(options.backend);
  profile.cpu_model = parse_cpu_model(detail::read_text_file("/proc/cpuinfo").value_or(""));
  profile.cpu_budget = read_cpu_budget();
  profile.memory = read_memory_sample();
  detail::GpuReport gpus = detail::detect_gpus();
  profile.gpus = std::move(gpus.gpus);
  profile.gpu_status = std::move(gpus.status);
  profile.fingerprint = fingerprint_of(profile);
  return profile;
}

HardwareFingerprint fingerprint_of(const HardwareProfile& profile) {
  return {profile.cpu_model, profile.cpu_budget.usable, round_to_gib(profile.memory.total_bytes)};
}

}  // namespace neat
