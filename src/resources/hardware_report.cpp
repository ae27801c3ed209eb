// The HardwareProfile as a readable report and as JSON.
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "hardware_backends.hpp"
#include "neat/resources/hardware_profile.hpp"

namespace neat {
namespace {

using json = nlohmann::ordered_json;  // keys in the order written, for people reading it

// 512 -> "512 B", 49152 -> "48 KiB", 8550400000 -> "7.96 GiB".
std::string format_bytes(std::uint64_t bytes) {
  constexpr std::array<const char*, 4> units = {"B", "KiB", "MiB", "GiB"};
  std::size_t unit = 0;
  double value = static_cast<double>(bytes);
  while (value >= 1024.0 && unit + 1 < units.size()) {
    value /= 1024.0;
    ++unit;
  }
  if (value == static_cast<double>(static_cast<std::uint64_t>(value))) {
    return fmt::format("{} {}", static_cast<std::uint64_t>(value), units[unit]);
  }
  return fmt::format("{:.2f} {}", value, units[unit]);
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string line(std::string_view name, std::string_view value) {
  return fmt::format("{:<22}{}\n", name, value);
}

std::string topology_lines(const CpuTopology& t) {
  std::string out = line(
      "topology", fmt::format("{}, {}, {} (from {})", plural(t.packages, "package", "packages"),
                              plural(t.physical_cores, "core", "cores"),
                              plural(t.logical_cpus, "logical CPU", "logical CPUs"), t.source));
  for (const NumaNode& node : t.numa_nodes) {
    out += line(fmt::format("NUMA node {}", node.index),
                fmt::format("CPUs {}, memory {}", detail::format_cpu_list(node.cpus),
                            node.memory_bytes ? format_bytes(*node.memory_bytes) : "unknown"));
  }
  for (const CacheInfo& c : t.caches) {
    out +=
        line(fmt::format("L{} {} cache", c.level, c.type),
             fmt::format("{} x {}, {} B lines, shared by {}", c.count, format_bytes(c.size_bytes),
                         c.line_bytes, plural(c.shared_by, "CPU", "CPUs")));
  }
  return out;
}

std::string budget_line(const CpuBudget& b) {
  const std::string quota =
      b.quota ? fmt::format("cgroup quota {:.2f}", *b.quota) : "no cgroup quota";
  return line("usable CPUs", fmt::format("{} (online {}, affinity {}, {}; {})", b.usable, b.online,
                                         b.affinity, quota, b.source));
}

std::string memory_lines(const MemorySample& m) {
  std::string out = line(
      "memory", fmt::format("total {}, available {}, headroom {}, process RSS {}",
                            format_bytes(m.total_bytes), format_bytes(m.available_bytes),
                            format_bytes(m.headroom_bytes()), format_bytes(m.process_rss_bytes)));
  if (m.cgroup_dir.empty()) return out + line("cgroup memory", "none");
  return out + line("cgroup memory",
                    fmt::format(
                        "limit {}, current {} ({})",
                        m.cgroup_limit_bytes ? format_bytes(*m.cgroup_limit_bytes) : "none",
                        m.cgroup_current_bytes ? format_bytes(*m.cgroup_current_bytes) : "unknown",
                        m.cgroup_dir));
}

std::string gpu_lines(const HardwareProfile& p) {
  std::string out = line("GPUs", fmt::format("{} ({})", p.gpus.size(), p.gpu_status));
  for (const GpuDevice& gpu : p.gpus) {
    out += line(fmt::format("GPU {}", gpu.index),
                fmt::format("{}, memory {} ({} free)", gpu.name, format_bytes(gpu.total_bytes),
                            format_bytes(gpu.free_bytes)));
  }
  return out;
}

template <typename T>
json optional_json(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json topology_json(const CpuTopology& t) {
  json nodes = json::array();
  for (const NumaNode& n : t.numa_nodes) {
    nodes.push_back({{"index", n.index},
                     {"cpus", n.cpus},
                     {"cpu_list", detail::format_cpu_list(n.cpus)},
                     {"memory_bytes", optional_json(n.memory_bytes)}});
  }
  json caches = json::array();
  for (const CacheInfo& c : t.caches) {
    caches.push_back({{"level", c.level},
                      {"type", c.type},
                      {"size_bytes", c.size_bytes},
                      {"line_bytes", c.line_bytes},
                      {"shared_by", c.shared_by},
                      {"count", c.count}});
  }
  return {{"source", t.source},
          {"logical_cpus", t.logical_cpus},
          {"physical_cores", t.physical_cores},
          {"packages", t.packages},
          {"numa_nodes", nodes},
          {"caches", caches}};
}

json memory_json(const MemorySample& m) {
  return {{"total_bytes", m.total_bytes},
          {"available_bytes", m.available_bytes},
          {"process_rss_bytes", m.process_rss_bytes},
          {"cgroup_limit_bytes", optional_json(m.cgroup_limit_bytes)},
          {"cgroup_current_bytes", optional_json(m.cgroup_current_bytes)},
          {"cgroup_dir", m.cgroup_dir},
          {"headroom_bytes", m.headroom_bytes()}};
}

}  // namespace

std::string format_hardware_profile(const HardwareProfile& p) {
  return line("CPU model", p.cpu_model) + topology_lines(p.topology) + budget_line(p.cpu_budget) +
         memory_lines(p.memory) + gpu_lines(p) + line("fingerprint", p.fingerprint.text());
}

std::string hardware_profile_to_json(const HardwareProfile& p) {
  json gpus = json::array();
  for (const GpuDevice& g : p.gpus) {
    gpus.push_back({{"index", g.index},
                    {"name", g.name},
                    {"total_bytes", g.total_bytes},
                    {"free_bytes", g.free_bytes}});
  }
  const CpuBudget& b = p.cpu_budget;
  const json doc = {{"cpu_model", p.cpu_model},
                    {"topology", topology_json(p.topology)},
                    {"cpu_budget",
                     {{"online", b.online},
                      {"affinity", b.affinity},
                      {"quota", optional_json(b.quota)},
                      {"usable", b.usable},
                      {"source", b.source}}},
                    {"memory", memory_json(p.memory)},
                    {"gpus", gpus},
                    {"gpu_status", p.gpu_status},
                    {"fingerprint",
                     {{"text", p.fingerprint.text()},
                      {"cpu_model", p.fingerprint.cpu_model},
                      {"logical_cpus", p.fingerprint.logical_cpus},
                      {"memory_gib", p.fingerprint.memory_gib}}}};
  return doc.dump(2) + "\n";
}

}  // namespace neat
