// `neatsched graph [WORKLOAD.json] [--dot]`: the workload's dependency graph, as a summary
// (operations, edges, levels, critical path, work) or as Graphviz DOT.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <map>

#include "cli_common.hpp"
#include "commands.hpp"

namespace neat::cli {
namespace {

std::string critical_path_names(const OperationDependencyGraph& graph, const CriticalPath& cp) {
  std::string text;
  for (OperationId id : cp.operations) {
    if (!text.empty()) text += " -> ";
    text += graph.name(id);
  }
  return text;
}

std::string component_table(const Workload& workload, const BuiltWorkload& built) {
  struct Row {
    std::size_t operations = 0;
    double work_us = 0.0;
  };
  std::map<std::string, Row> rows;
  for (std::size_t i = 0; i < workload.operations.size(); ++i) {
    Row& row = rows[workload.operations[i].component];
    ++row.operations;
    row.work_us += built.cost_us[i];
  }
  std::string out = fmt::format("{:<28} {:>10} {:>10} {:>12}\n", "component", "priority",
                                "operations", "work (ms)");
  for (const auto& [component, row] : rows) {
    const std::string& name = component;  // a lambda may not capture a structured binding (clang 14)
    const auto spec = std::find_if(workload.components.begin(), workload.components.end(),
                                   [&name](const ComponentSpec& c) { return c.name == name; });
    const std::string_view priority =
        spec != workload.components.end() ? to_string(spec->priority) : "-";
    out += fmt::format("{:<28} {:>10} {:>10} {:>12.2f}\n", name.empty() ? "(none)" : name, priority,
                       row.operations, row.work_us / 1e3);
  }
  return out;
}

std::string summary(const Workload& workload, const OperationDependencyGraph& graph,
                    const BuiltWorkload& built) {
  const CriticalPath cp = graph.critical_path();
  const std::vector<std::uint32_t> levels = graph.levels();
  const std::uint32_t depth =
      levels.empty() ? 0 : *std::max_element(levels.begin(), levels.end()) + 1;
  std::string out = fmt::format("workload {}\n", describe(workload));
  if (!workload.description.empty()) out += fmt::format("  {}\n", workload.description);
  out += fmt::format("\n{:<22} {}\n", "operations", graph.size());
  out += fmt::format("{:<22} {}\n", "edges", graph.edge_count());
  out += fmt::format("{:<22} {}\n", "data handles", graph.data_count());
  out += fmt::format("{:<22} {}\n", "components", workload.components.size());
  out += fmt::format("{:<22} {}\n", "levels", depth);
  out += fmt::format("{:<22} {}\n", "independent subgraphs", graph.independent_subgraphs().size());
  out += fmt::format("{:<22} {:.2f} ms (estimated)\n", "total work", cp.total_work / 1e3);
  out += fmt::format("{:<22} {:.2f} ms over {} operations\n", "critical path", cp.length / 1e3,
                     cp.operations.size());
  out += fmt::format("{:<22} {:.2f} (total work / critical path)\n", "parallelism",
                     cp.length > 0.0 ? cp.total_work / cp.length : 0.0);
  if (graph.size() == 0) {
    // A file of only pipelines or request streams: they are not part of the graph.
    out += fmt::format("\nno graph operations: its {} pipeline(s) and {} request stream(s) run "
                       "in `neatsched run`\n",
                       workload.pipelines.size(), workload.request_streams.size());
    return out;
  }
  out += fmt::format("\ncritical path: {}\n\n", critical_path_names(graph, cp));
  out += component_table(workload, built);
  return out;
}

}  // namespace

CLI::App* add_graph_command(CLI::App& app, GraphOptions& options) {
  CLI::App* graph = app.add_subcommand(
      "graph", "Summarise a workload's dependency graph (default: the built-in NEAT workload).");
  graph->add_option("workload", options.workload, "Workload JSON file (docs/workload-format.md)")
      ->type_name("WORKLOAD.json");
  graph->add_flag("--dot", options.dot,
                  "Print the graph as Graphviz DOT (e.g. | dot -Tsvg > graph.svg)");
  return graph;
}

int graph_command(const GraphOptions& options) {
  const Workload workload = load_or_default(options.workload);
  OperationDependencyGraph graph;
  const BuiltWorkload built = build(workload, graph);
  std::cout << (options.dot ? graph.to_dot() : summary(workload, graph, built));
  return k_exit_ok;
}

}  // namespace neat::cli
