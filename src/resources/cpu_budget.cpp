#include "neat/resources/cpu_budget.hpp"

#include <sched.h>
#include <unistd.h>

#include <cmath>
#include <sstream>

#include "system_files.hpp"

namespace neat {

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
  for (const std::string& dir : detail::own_cgroup_dirs()) {
    if (const auto text = detail::read_text_file(dir + "/cpu.max")) {
      if (const auto quota = parse_cpu_max(*text)) {
        if (!budget.quota || *quota < *budget.quota) budget.quota = quota;
        budget.source = "sched_getaffinity + " + dir + "/cpu.max";
      }
    }
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
