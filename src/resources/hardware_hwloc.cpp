// The hwloc backend of detect_hardware(), or its absence. [resources.hw]
#include "hardware_backends.hpp"
#include "neat/common/error.hpp"

#if defined(NEAT_HAVE_HWLOC)

#include <hwloc.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>

namespace neat::detail {
namespace {

struct TopologyDeleter {
  void operator()(hwloc_topology_t topology) const { hwloc_topology_destroy(topology); }
};
using Topology = std::unique_ptr<hwloc_topology, TopologyDeleter>;

[[noreturn]] void fail(const char* call) {
  throw Error(std::string("hardware backend 'hwloc': ") + call +
              " failed: " + std::strerror(errno));
}

// The whole machine, instruction caches included (hwloc drops them by default).
Topology load_topology() {
  hwloc_topology_t raw = nullptr;
  if (hwloc_topology_init(&raw) != 0) fail("hwloc_topology_init");
  Topology topology(raw);
  if (hwloc_topology_set_flags(raw, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED) != 0 ||
      hwloc_topology_set_icache_types_filter(raw, HWLOC_TYPE_FILTER_KEEP_ALL) != 0) {
    fail("hwloc_topology_set_flags");
  }
  if (hwloc_topology_load(raw) != 0) fail("hwloc_topology_load");
  return topology;
}

std::size_t count(hwloc_topology_t topology, hwloc_obj_type_t type) {
  const int n = hwloc_get_nbobjs_by_type(topology, type);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

std::vector<unsigned> cpus_of(hwloc_const_cpuset_t set) {
  std::vector<unsigned> cpus;
  for (int cpu = hwloc_bitmap_first(set); cpu != -1; cpu = hwloc_bitmap_next(set, cpu)) {
    cpus.push_back(static_cast<unsigned>(cpu));
  }
  return cpus;
}

const char* cache_type(hwloc_obj_cache_type_t type) {
  switch (type) {
    case HWLOC_OBJ_CACHE_DATA:
      return "data";
    case HWLOC_OBJ_CACHE_INSTRUCTION:
      return "instruction";
    default:
      return "unified";
  }
}

std::vector<CacheInfo> caches_of(hwloc_topology_t topology) {
  constexpr std::array types = {HWLOC_OBJ_L1CACHE,  HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE,
                                HWLOC_OBJ_L4CACHE,  HWLOC_OBJ_L5CACHE, HWLOC_OBJ_L1ICACHE,
                                HWLOC_OBJ_L2ICACHE, HWLOC_OBJ_L3ICACHE};
  std::vector<CacheInfo> instances;
  for (const hwloc_obj_type_t type : types) {
    for (hwloc_obj_t obj = nullptr; (obj = hwloc_get_next_obj_by_type(topology, type, obj));) {
      const auto& cache = obj->attr->cache;
      instances.push_back({cache.depth, cache_type(cache.type), cache.size, cache.linesize,
                           cpus_of(obj->cpuset).size(), 1});
    }
  }
  return summarize_caches(std::move(instances));
}

std::vector<NumaNode> numa_nodes_of(hwloc_topology_t topology) {
  std::vector<NumaNode> nodes;
  for (hwloc_obj_t obj = nullptr;
       (obj = hwloc_get_next_obj_by_type(topology, HWLOC_OBJ_NUMANODE, obj));) {
    nodes.push_back({obj->os_index, cpus_of(obj->cpuset), obj->attr->numanode.local_memory});
  }
  std::sort(nodes.begin(), nodes.end(),
            [](const NumaNode& a, const NumaNode& b) { return a.index < b.index; });
  return nodes;
}

}  // namespace

CpuTopology read_hwloc_topology() {
  const Topology topology = load_topology();
  hwloc_topology_t raw = topology.get();
  CpuTopology result;
  result.source = "hwloc";
  result.logical_cpus = count(raw, HWLOC_OBJ_PU);
  result.physical_cores = count(raw, HWLOC_OBJ_CORE);
  if (result.physical_cores == 0) result.physical_cores = result.logical_cpus;
  result.packages = std::max<std::size_t>(count(raw, HWLOC_OBJ_PACKAGE), 1);
  result.numa_nodes = numa_nodes_of(raw);
  result.caches = caches_of(raw);
  return result;
}

}  // namespace neat::detail

namespace neat {
bool hwloc_available() noexcept {
  return true;
}
}  // namespace neat

#else  // !NEAT_HAVE_HWLOC

namespace neat::detail {
CpuTopology read_hwloc_topology() {
  throw Error(
      "hardware backend 'hwloc': this neatsched was built without hwloc (install libhwloc-dev "
      "and reconfigure with NEAT_HWLOC=AUTO or ON), use 'auto' or 'sysfs'");
}
}  // namespace neat::detail

namespace neat {
bool hwloc_available() noexcept {
  return false;
}
}  // namespace neat

#endif
