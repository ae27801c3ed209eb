#include "neat/resources/cpu_budget.hpp"

#include <sched.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <sstream>

namespace neat {
namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The cgroup v2 path of this process ("0::/some/path"), or "/" when not found.
std::string own_cgroup_path() {
  const auto text = read_file("/proc/self/cgroup");
  if (!text) return "/";
  std::istringstream lines(*text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  }
  return "/";
}

}  // namespace

std::optional<double> parse_cpu_max(const std::string& text) {
  std::istringstream in(text);
  std::string quota;
  double period = 0;
  if (!(in >> quota >> period) || quota == "max" || period <= 0) return std::nullopt;
  try {
    std::size_t used = 0;
    const double q = std::stod(quota, &used);
    if (used != quota.size() || q <= 0) return std::nullopt;
    return q / period;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

CpuBudget read_cpu_budget() {
  CpuBudget budget;
  const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  budget.online = online > 0 ? static_cast<std::size_t>(online) : 1;
  cpu_set_t set;
  CPU_ZERO(&set);
  budget.affinity = ::sched_getaffinity(0, sizeof(set), &set) == 0
                        ? static_cast<std::size_t>(CPU_COUNT(&set))
                        : budget.online;
  budget.source = "sched_getaffinity";
  const std::string cgroup = own_cgroup_path();
  for (std::string dir = "/sys/fs/cgroup" + (cgroup == "/" ? std::string() : cgroup);;) {
    if (const auto text = read_file(dir + "/cpu.max")) {
      if (const auto quota = parse_cpu_max(*text)) {
        if (!budget.quota || *quota < *budget.quota) budget.quota = quota;
        budget.source = "sched_getaffinity + " + dir + "/cpu.max";
      }
    }
    const auto slash = dir.rfind('/');
    if (dir == "/sys/fs/cgroup" || slash == std::string::npos) break;
    dir.erase(slash);
  }
  budget.usable = budget.affinity;
  if (budget.quota) {
    const auto cap = static_cast<std::size_t>(std::ceil(*budget.quota - 1e-9));
    budget.usable = std::min(budget.usable, std::max<std::size_t>(cap, 1));
  }
  budget.usable = std::max<std::size_t>(budget.usable, 1);
  return budget;
}

}  // namespace neat
