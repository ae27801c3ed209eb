// The sysfs backend of detect_hardware(): /sys/devices/system/{cpu,node}. [resources.hw]
#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "hardware_backends.hpp"
#include "system_files.hpp"

namespace neat::detail {
namespace {

constexpr unsigned k_max_cpu = 65535;

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// The whole of `text` as a decimal number.
template <typename T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::optional<std::string> read_trimmed(const std::string& path) {
  const auto text = read_text_file(path);
  if (!text) return std::nullopt;
  return std::string(trim(*text));
}

// "Node 0 MemTotal:  8350000 kB" -> bytes.
std::optional<std::uint64_t> node_mem_total(const std::string& meminfo) {
  const auto at = meminfo.find("MemTotal:");
  if (at == std::string::npos) return std::nullopt;
  return parse_kib_field(meminfo.substr(at), "MemTotal");
}

std::vector<unsigned> online_cpus(const std::string& root) {
  if (const auto text = read_text_file(root + "/cpu/online")) {
    if (auto cpus = parse_cpu_list(*text)) return *cpus;
  }
  std::vector<unsigned> cpus(std::max(1u, std::thread::hardware_concurrency()));
  for (unsigned i = 0; i < cpus.size(); ++i) cpus[i] = i;
  return cpus;
}

// The caches of one CPU, keyed so that an instance shared by several CPUs is seen once.
void read_cpu_caches(const std::string& cpu_dir, std::map<std::string, CacheInfo>& instances) {
  for (int index = 0;; ++index) {
    const std::string dir = cpu_dir + "/cache/index" + std::to_string(index);
    const auto level = read_trimmed(dir + "/level");
    if (!level) return;
    CacheInfo cache;
    cache.level = parse_number<unsigned>(*level).value_or(0);
    cache.type = read_trimmed(dir + "/type").value_or("unified");
    std::transform(cache.type.begin(), cache.type.end(), cache.type.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    cache.size_bytes = parse_cache_size(read_trimmed(dir + "/size").value_or("")).value_or(0);
    cache.line_bytes =
        parse_number<unsigned>(read_trimmed(dir + "/coherency_line_size").value_or("")).value_or(0);
    const auto shared = read_trimmed(dir + "/shared_cpu_list");
    const auto sharing = parse_cpu_list(shared.value_or("")).value_or(std::vector<unsigned>{});
    cache.shared_by = std::max<std::size_t>(1, sharing.size());
    cache.count = 1;
    instances.emplace(*level + "/" + cache.type + "/" + shared.value_or(cpu_dir), cache);
  }
}

std::vector<NumaNode> read_numa_nodes(const std::string& root, const std::vector<unsigned>& cpus) {
  std::vector<NumaNode> nodes;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root + "/node", ec)) {
    const std::string name = entry.path().filename().string();
    const auto index =
        name.starts_with("node") ? parse_number<unsigned>(name.substr(4)) : std::nullopt;
    if (!index) continue;
    NumaNode node{*index, {}, std::nullopt};
    const std::string dir = entry.path().string();
    node.cpus = parse_cpu_list(read_text_file(dir + "/cpulist").value_or(""))
                    .value_or(std::vector<unsigned>{});
    node.memory_bytes = node_mem_total(read_text_file(dir + "/meminfo").value_or(""));
    nodes.push_back(std::move(node));
  }
  if (nodes.empty()) nodes.push_back({0, cpus, std::nullopt});
  std::sort(nodes.begin(), nodes.end(),
            [](const NumaNode& a, const NumaNode& b) { return a.index < b.index; });
  return nodes;
}

}  // namespace

std::optional<std::vector<unsigned>> parse_cpu_list(std::string_view text) {
  std::vector<unsigned> cpus;
  text = trim(text);
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (comma != std::string_view::npos && text.empty()) return std::nullopt;  // "1,"
    const auto dash = item.find('-');
    const auto first = parse_number<unsigned>(item.substr(0, dash));
    const auto last =
        dash == std::string_view::npos ? first : parse_number<unsigned>(item.substr(dash + 1));
    if (!first || !last || *first > *last || *last > k_max_cpu) return std::nullopt;
    for (unsigned cpu = *first; cpu <= *last; ++cpu) cpus.push_back(cpu);
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

std::string format_cpu_list(const std::vector<unsigned>& cpus) {
  std::string text;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!text.empty()) text += ',';
    text += std::to_string(cpus[i]);
    if (j > i) text += '-' + std::to_string(cpus[j]);
    i = j + 1;
  }
  return text;
}

std::optional<std::uint64_t> parse_cache_size(std::string_view text) {
  text = trim(text);
  std::uint64_t scale = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'K':
      case 'k':
        scale = std::uint64_t{1} << 10;
        break;
      case 'M':
        scale = std::uint64_t{1} << 20;
        break;
      case 'G':
        scale = std::uint64_t{1} << 30;
        break;
      default:
        break;
    }
  }
  if (scale != 1) text.remove_suffix(1);
  const auto value = parse_number<std::uint64_t>(text);
  if (!value) return std::nullopt;
  return *value * scale;
}

CpuTopology read_sysfs_topology(const std::string& root) {
  CpuTopology topology;
  topology.source = "sysfs";
  const std::vector<unsigned> cpus = online_cpus(root);
  std::set<std::string> cores;
  std::set<std::string> packages;
  std::map<std::string, CacheInfo> caches;
  for (const unsigned cpu : cpus) {
    const std::string dir = root + "/cpu/cpu" + std::to_string(cpu);
    const std::string package = read_trimmed(dir + "/topology/physical_package_id").value_or("0");
    packages.insert(package);
    // The CPUs of one core list the same siblings; without that file, the core id in its package.
    const auto siblings = read_trimmed(dir + "/topology/thread_siblings_list");
    const auto core_id = read_trimmed(dir + "/topology/core_id");
    cores.insert(siblings  ? "siblings " + *siblings
                 : core_id ? package + "/" + *core_id
                           : "cpu " + std::to_string(cpu));
    read_cpu_caches(dir, caches);
  }
  topology.logical_cpus = cpus.size();
  topology.physical_cores = cores.size();
  topology.packages = packages.size();
  topology.numa_nodes = read_numa_nodes(root, cpus);
  std::vector<CacheInfo> instances;
  for (const auto& entry : caches) instances.push_back(entry.second);
  topology.caches = summarize_caches(std::move(instances));
  return topology;
}

}  // namespace neat::detail
