// Graphviz DOT export of an OperationDependencyGraph. [core.dot]
// Output is deterministic: one cluster per component in order of first use, nodes by index,
// edges sorted and deduplicated.
#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "neat/common/types.hpp"
#include "neat/core/graph.hpp"

namespace neat {
namespace {

// Text inside a double-quoted DOT string.
std::string escape_dot(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string_view fill_colour(ExecutionPriority priority) noexcept {
  switch (priority) {
    case ExecutionPriority::critical:
      return "#f4a6a6";  // red-ish
    case ExecutionPriority::high:
      return "#f9c98f";  // orange
    case ExecutionPriority::medium:
      return "#fbe99a";  // yellow
    case ExecutionPriority::low:
      break;
  }
  return "#d9d9d9";  // grey
}

void append_node(std::string& out, const OperationDependencyGraph& graph, std::uint32_t index,
                 std::string_view indent) {
  const OperationId op{index};
  const ExecutionPriority priority = graph.priority(op);
  fmt::format_to(std::back_inserter(out), "{}n{} [label=\"{}\\n{}\", fillcolor=\"{}\"];\n", indent,
                 index, escape_dot(graph.name(op)), to_string(priority), fill_colour(priority));
}

}  // namespace

std::string OperationDependencyGraph::to_dot() const {
  const auto n = static_cast<std::uint32_t>(nodes_.size());
  // Nodes grouped by component id (counting sort keeps index order inside a group).
  std::vector<std::uint32_t> group_begin(components_.size() + 1, 0);
  for (std::uint32_t i = 0; i < n; ++i) ++group_begin[meta(i).component + 1u];
  for (std::size_t c = 0; c < components_.size(); ++c) group_begin[c + 1] += group_begin[c];
  std::vector<std::uint32_t> grouped(n);
  {
    std::vector<std::uint32_t> cursor(group_begin.begin(), group_begin.end() - 1);
    for (std::uint32_t i = 0; i < n; ++i) grouped[cursor[meta(i).component]++] = i;
  }

  std::string out = "digraph neat {\n  node [shape=box, style=filled];\n";
  for (std::size_t c = 1; c < components_.size(); ++c) {
    fmt::format_to(std::back_inserter(out), "  subgraph cluster_{} {{\n    label=\"{}\";\n", c - 1,
                   escape_dot(components_[c]));
    for (std::uint32_t k = group_begin[c]; k < group_begin[c + 1]; ++k) {
      append_node(out, *this, grouped[k], "    ");
    }
    out += "  }\n";
  }
  for (std::uint32_t k = group_begin[0]; k < group_begin[1]; ++k) {
    append_node(out, *this, grouped[k], "  ");
  }

  std::vector<Edge> edges(edges_.begin(), edges_.end());
  std::sort(edges.begin(), edges.end(),
            [](Edge a, Edge b) { return a.from != b.from ? a.from < b.from : a.to < b.to; });
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  for (const Edge& e : edges) {
    fmt::format_to(std::back_inserter(out), "  n{} -> n{};\n", e.from, e.to);
  }
  out += "}\n";
  return out;
}

}  // namespace neat
