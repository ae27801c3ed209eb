#include "cli_common.hpp"

#include <fmt/format.h>

namespace neat::cli {

Workload load_or_default(const std::string& path) {
  return path.empty() ? default_workload() : load_workload(path);
}

BuiltWorkload build(const Workload& workload, OperationDependencyGraph& graph) {
  try {
    return instantiate(workload, graph);
  } catch (const CycleError& e) {
    throw InputError(fmt::format("{}: {}", workload.source, e.what()));
  }
}

std::string describe(const Workload& workload) {
  return fmt::format("{} ({})", workload.name, workload.source);
}

}  // namespace neat::cli
