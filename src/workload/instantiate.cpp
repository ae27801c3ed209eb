// Building an OperationDependencyGraph from a Workload. [workload.instantiate]
#include <fmt/format.h>

#include <unordered_map>

#include "neat/workload/workload.hpp"

namespace neat {
namespace {

// parse_workload() guarantees every name resolves; a Workload built by hand may not.
template <class Map>
auto lookup(const Map& map, const std::string& name, const char* what, const OperationSpec& op) {
  const auto it = map.find(name);
  if (it == map.end()) {
    throw Error(
        fmt::format("instantiate: operation '{}' names unknown {} '{}'", op.name, what, name));
  }
  return it->second;
}

}  // namespace

BuiltWorkload instantiate(const Workload& workload, OperationDependencyGraph& graph) {
  BuiltWorkload built;
  built.graph = &graph;
  const std::size_t n = workload.operations.size();
  built.operations.reserve(n);
  built.kernels.reserve(n);
  built.cost_us.reserve(n);

  std::unordered_map<std::string, DataHandle> data;
  for (const std::string& name : workload.data) data.emplace(name, graph.data(name));

  std::unordered_map<std::string, OperationId> ids;
  for (const OperationSpec& spec : workload.operations) {
    BoundKernel kernel = kernels::bind(spec.kernel);
    OperationDescriptor descriptor{
        .name = spec.name,
        .component = spec.component,
        .priority = spec.priority,
        .cost_hint_us = spec.cost_hint_us.value_or(kernel.estimated_us),
        .memory_bytes = spec.memory_bytes,
        .device = spec.device,
    };
    Operation op = graph.add(descriptor, kernel.run);
    // One access per data name (the parser guarantees it), so the order of the lists does not
    // change the edges; the order of operations (file order) does.
    for (const std::string& name : spec.reads) op.reads(lookup(data, name, "data", spec));
    for (const std::string& name : spec.writes) op.writes(lookup(data, name, "data", spec));
    for (const std::string& name : spec.read_writes) {
      op.read_writes(lookup(data, name, "data", spec));
    }
    ids.emplace(spec.name, op.id());
    built.operations.push_back(op.id());
    built.kernels.push_back(std::move(kernel.run));
    built.cost_us.push_back(descriptor.cost_hint_us);
    built.total_work_us += descriptor.cost_hint_us;
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (const std::string& before : workload.operations[i].after) {
      graph.precede(lookup(ids, before, "operation", workload.operations[i]), built.operations[i]);
    }
  }
  graph.validate();
  return built;
}

}  // namespace neat
