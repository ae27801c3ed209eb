// Analyses of an OperationDependencyGraph: validation, topological order, levels, independent
// subgraphs and critical path. Each works from the edge list alone (duplicates and self-edges
// allowed) with flat vectors, so it does not depend on compile() and never recurses.
// [core.analysis]
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <queue>
#include <span>
#include <string>
#include <vector>

#include "neat/common/error.hpp"
#include "neat/core/graph.hpp"
#include "neat/detail/assert.hpp"

namespace neat {
namespace {

constexpr std::uint32_t k_none = std::numeric_limits<std::uint32_t>::max();

// Successor lists in compressed-sparse-row form, plus each node's number of incoming edges.
struct Adjacency {
  std::vector<std::uint32_t> offsets;    // node u's successors: targets[offsets[u], offsets[u+1])
  std::vector<std::uint32_t> targets;    // grouped by source, in edge-list order
  std::vector<std::uint32_t> in_degree;  // incoming edges per node, duplicates counted

  [[nodiscard]] std::span<const std::uint32_t> successors(std::uint32_t u) const noexcept {
    return {targets.data() + offsets[u], targets.data() + offsets[u + 1]};
  }
};

Adjacency build_adjacency(std::span<const Edge> edges, std::size_t n) {
  NEAT_ASSERT(edges.size() < k_none, "edge count fits 32 bits");
  Adjacency adj;
  adj.offsets.assign(n + 1, 0);
  adj.in_degree.assign(n, 0);
  for (const Edge& e : edges) {
    ++adj.offsets[e.from + 1];
    ++adj.in_degree[e.to];
  }
  for (std::size_t i = 0; i < n; ++i) adj.offsets[i + 1] += adj.offsets[i];
  adj.targets.resize(edges.size());
  std::vector<std::uint32_t> cursor(adj.offsets.begin(), adj.offsets.end() - 1);
  for (const Edge& e : edges) adj.targets[cursor[e.from]++] = e.to;
  return adj;
}

// True when every edge goes from an older operation to a newer one: creation order is then a
// topological order and the graph has no cycle. The common case, checked without allocating.
bool creation_order_respects(std::span<const Edge> edges) noexcept {
  return std::all_of(edges.begin(), edges.end(), [](Edge e) { return e.from < e.to; });
}

// Kahn's algorithm with a FIFO kept inside the result. Consumes `in_degree`: afterwards a node
// has in_degree 0 exactly when it was ordered. The order is shorter than n iff there is a cycle.
std::vector<std::uint32_t> kahn_order(const Adjacency& adj, std::vector<std::uint32_t>& in_degree) {
  const std::size_t n = in_degree.size();
  std::vector<std::uint32_t> order;
  order.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    if (in_degree[i] == 0) order.push_back(i);
  }
  for (std::size_t head = 0; head < order.size(); ++head) {
    for (std::uint32_t v : adj.successors(order[head])) {
      if (--in_degree[v] == 0) order.push_back(v);
    }
  }
  return order;
}

// Iterative depth-first search over the nodes that Kahn's algorithm could not order (every
// cycle lies among them). Returns the nodes of one cycle in edge order, smallest index first.
std::vector<std::uint32_t> find_cycle(const Adjacency& adj,
                                      const std::vector<std::uint32_t>& unordered) {
  enum Colour : std::uint8_t { k_white, k_on_path, k_done };
  const std::size_t n = unordered.size();
  std::vector<std::uint8_t> colour(n, k_white);
  std::vector<std::uint32_t> cursor(adj.offsets.begin(), adj.offsets.end() - 1);
  std::vector<std::uint32_t> path;
  for (std::uint32_t start = 0; start < n; ++start) {
    if (unordered[start] == 0 || colour[start] != k_white) continue;
    colour[start] = k_on_path;
    path.push_back(start);
    while (!path.empty()) {
      const std::uint32_t u = path.back();
      if (cursor[u] == adj.offsets[u + 1]) {
        colour[u] = k_done;
        path.pop_back();
        continue;
      }
      const std::uint32_t v = adj.targets[cursor[u]++];
      if (colour[v] == k_on_path) {
        std::vector<std::uint32_t> cycle(std::find(path.begin(), path.end(), v), path.end());
        std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
        return cycle;
      }
      if (colour[v] == k_white) {
        colour[v] = k_on_path;
        path.push_back(v);
      }
    }
  }
  NEAT_ASSERT(false, "find_cycle called on an acyclic graph");
  return {};
}

[[noreturn]] void throw_cycle(const OperationDependencyGraph& graph, const Adjacency& adj,
                              const std::vector<std::uint32_t>& unordered) {
  const std::vector<std::uint32_t> cycle = find_cycle(adj, unordered);
  std::vector<std::string> names;
  names.reserve(cycle.size() + 1);
  for (std::uint32_t op : cycle) names.push_back(graph.name(OperationId{op}));
  if (!names.empty()) names.push_back(names.front());
  throw CycleError(std::move(names));
}

// Adjacency and a topological order (FIFO Kahn), or CycleError.
struct Ordered {
  Adjacency adj;
  std::vector<std::uint32_t> order;
};

Ordered order_or_throw(const OperationDependencyGraph& graph) {
  Ordered result{build_adjacency(graph.edges(), graph.size()), {}};
  std::vector<std::uint32_t> in_degree = result.adj.in_degree;
  result.order = kahn_order(result.adj, in_degree);
  if (result.order.size() != graph.size()) throw_cycle(graph, result.adj, in_degree);
  return result;
}

}  // namespace

void OperationDependencyGraph::validate() const {
  if (creation_order_respects(edges_)) return;
  (void)order_or_throw(*this);
}

std::vector<OperationId> OperationDependencyGraph::topological_order() const {
  const auto n = static_cast<std::uint32_t>(nodes_.size());
  std::vector<OperationId> order;
  order.reserve(n);
  if (creation_order_respects(edges_)) {
    for (std::uint32_t i = 0; i < n; ++i) order.push_back(OperationId{i});
    return order;
  }
  const Adjacency adj = build_adjacency(edges_, n);
  std::vector<std::uint32_t> in_degree = adj.in_degree;
  std::vector<std::uint32_t> heap_storage;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (in_degree[i] == 0) heap_storage.push_back(i);
  }
  std::priority_queue ready(std::greater<std::uint32_t>{}, std::move(heap_storage));
  while (!ready.empty()) {
    const std::uint32_t u = ready.top();
    ready.pop();
    order.push_back(OperationId{u});
    for (std::uint32_t v : adj.successors(u)) {
      if (--in_degree[v] == 0) ready.push(v);
    }
  }
  if (order.size() != n) throw_cycle(*this, adj, in_degree);
  return order;
}

std::vector<std::uint32_t> OperationDependencyGraph::levels() const {
  const Ordered ordered = order_or_throw(*this);
  std::vector<std::uint32_t> level(nodes_.size(), 0);
  for (std::uint32_t u : ordered.order) {
    for (std::uint32_t v : ordered.adj.successors(u)) level[v] = std::max(level[v], level[u] + 1);
  }
  return level;
}

// Weakly connected components: breadth-first search over edges taken in both directions.
// Scanning start nodes by index labels components in order of their smallest id.
std::vector<std::vector<OperationId>> OperationDependencyGraph::independent_subgraphs() const {
  const std::size_t n = nodes_.size();
  std::vector<std::uint32_t> offsets(n + 1, 0);
  for (const Edge& e : edges_) {
    ++offsets[e.from + 1];
    ++offsets[e.to + 1];
  }
  for (std::size_t i = 0; i < n; ++i) offsets[i + 1] += offsets[i];
  std::vector<std::uint32_t> neighbours(offsets[n]);
  {
    std::vector<std::uint32_t> cursor(offsets.begin(), offsets.end() - 1);
    for (const Edge& e : edges_) {
      neighbours[cursor[e.from]++] = e.to;
      neighbours[cursor[e.to]++] = e.from;
    }
  }
  std::vector<std::uint32_t> label(n, k_none);
  std::vector<std::uint32_t> sizes;
  std::vector<std::uint32_t> queue;
  for (std::uint32_t start = 0; start < n; ++start) {
    if (label[start] != k_none) continue;
    const auto id = static_cast<std::uint32_t>(sizes.size());
    label[start] = id;
    queue.assign(1, start);
    for (std::size_t head = 0; head < queue.size(); ++head) {
      const std::uint32_t u = queue[head];
      for (std::uint32_t i = offsets[u]; i < offsets[u + 1]; ++i) {
        const std::uint32_t v = neighbours[i];
        if (label[v] == k_none) {
          label[v] = id;
          queue.push_back(v);
        }
      }
    }
    sizes.push_back(static_cast<std::uint32_t>(queue.size()));
  }
  std::vector<std::vector<OperationId>> components(sizes.size());
  for (std::size_t c = 0; c < sizes.size(); ++c) components[c].reserve(sizes[c]);
  for (std::uint32_t i = 0; i < n; ++i) components[label[i]].push_back(OperationId{i});
  return components;
}

// [core.critical] Longest path by finish time: finish(u) = cost(u) + max finish of u's
// predecessors, relaxed in topological order. Ties keep the first predecessor relaxed.
CriticalPath OperationDependencyGraph::critical_path(
    const std::function<double(OperationId)>& cost) const {
  const Ordered ordered = order_or_throw(*this);
  const std::size_t n = nodes_.size();
  CriticalPath result;
  std::vector<double> finish(n, 0.0);  // the node's cost until the node is processed
  for (std::uint32_t i = 0; i < n; ++i) {
    double c = 0.0;
    if (cost) {
      c = cost(OperationId{i});
      if (!(c >= 0.0) || std::isinf(c)) {
        throw Error(
            fmt::format("critical_path: cost of operation '{}' must be a finite, "
                        "non-negative number (got {})",
                        name(OperationId{i}), c));
      }
    } else {
      c = meta(i).cost_hint_us == 0.0f ? 1.0 : static_cast<double>(meta(i).cost_hint_us);
    }
    finish[i] = c;
    result.total_work += c;
  }
  std::vector<double> start(n, 0.0);
  std::vector<std::uint32_t> best_pred(n, k_none);
  for (std::uint32_t u : ordered.order) {
    finish[u] += start[u];
    for (std::uint32_t v : ordered.adj.successors(u)) {
      if (best_pred[v] == k_none || finish[u] > start[v]) {
        start[v] = finish[u];
        best_pred[v] = u;
      }
    }
  }
  if (n == 0) return result;
  const auto end =
      static_cast<std::uint32_t>(std::max_element(finish.begin(), finish.end()) - finish.begin());
  result.length = finish[end];
  for (std::uint32_t u = end; u != k_none; u = best_pred[u]) {
    result.operations.push_back(OperationId{u});
  }
  std::reverse(result.operations.begin(), result.operations.end());
  return result;
}

}  // namespace neat
