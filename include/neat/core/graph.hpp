// OperationDependencyGraph: a DAG of operations with explicit edges and edges inferred from data
// accesses (RAW, WAR, WAW in declaration order, as StarPU's sequential task flow does), plus the
// analyses a scheduler needs: validation, deterministic topological order, levels, independent
// subgraphs, critical path and DOT export.
//
// Thread-safety: a graph is built and analysed by one thread at a time. While a ParallelExecutor
// runs it, the graph must not be changed (changes throw neat::Error) and must outlive the run.
// A graph can be run again and again without rebuilding, one run at a time.
//
//   neat::OperationDependencyGraph g;
//   auto h = g.data("hidden");
//   auto a = g.add({.name = "embed", .component = "blt_encoder"}, [] { embed(); }).writes(h);
//   auto b = g.add({.name = "recall", .component = "titans_memory"}, [] { recall(); }).reads(h);
//   // b runs after a (read after write on "hidden").
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "neat/core/operation_descriptor.hpp"
#include "neat/detail/chunked_vector.hpp"
#include "neat/detail/node.hpp"

namespace neat {

class OperationDependencyGraph;
class ExecutionScheduler;
namespace detail {
class RunState;
class ExecutorCore;
class Worker;
}  // namespace detail

/// A handle to one operation of a graph, for wiring it up. Cheap to copy; valid while its graph is.
class Operation {
 public:
  Operation() = default;
  Operation(OperationDependencyGraph* graph, std::uint32_t index) noexcept
      : graph_(graph), index_(index) {}

  /// This operation runs before each of `others`.
  template <class... Ops>
  Operation& precede(Ops... others);
  /// This operation runs after each of `others`.
  template <class... Ops>
  Operation& succeed(Ops... others);

  Operation& reads(DataHandle data);
  Operation& writes(DataHandle data);
  Operation& read_writes(DataHandle data);
  Operation& access(DataHandle data, AccessMode mode);

  [[nodiscard]] OperationId id() const noexcept { return OperationId{index_}; }
  [[nodiscard]] std::string_view name() const;

 private:
  OperationDependencyGraph* graph_ = nullptr;
  std::uint32_t index_ = 0;
};

/// One edge: `from` must complete before `to` starts.
struct Edge {
  std::uint32_t from;
  std::uint32_t to;
  friend constexpr bool operator==(Edge, Edge) = default;
};

/// Result of critical_path(): the operations along the longest path, its length and the total
/// work of the graph, both in the cost function's unit.
struct CriticalPath {
  std::vector<OperationId> operations;
  double length = 0.0;
  double total_work = 0.0;
};

class OperationDependencyGraph {
 public:
  OperationDependencyGraph() = default;
  OperationDependencyGraph(const OperationDependencyGraph&) = delete;
  OperationDependencyGraph& operator=(const OperationDependencyGraph&) = delete;
  /// Waits for a run still in progress (a graph must outlive its runs).
  ~OperationDependencyGraph();

  // ---- Building ---------------------------------------------------------------------------
  /// Add an anonymous medium-priority operation. `fn` is callable as fn() or fn(OpContext&).
  /// The fast path: no allocation beyond amortised storage when fn is small.
  template <class F>
  Operation emplace(F&& fn);

  /// Add an operation with its metadata.
  template <class F>
  Operation add(const OperationDescriptor& descriptor, F&& fn);

  /// Create a named data handle; accesses to it infer edges in the order they are declared.
  DataHandle data(std::string_view name);

  /// Explicit edge: `from` runs before `to`. Throws neat::Error for an unknown operation.
  void precede(OperationId from, OperationId to);
  /// Declare an access; adds the RAW/WAR/WAW edges it implies. Throws neat::Error for unknown ids.
  void access(OperationId op, DataHandle data, AccessMode mode);

  /// Reserve room for `operations` operations and `edges` edges.
  void reserve(std::size_t operations, std::size_t edges);

  // ---- Reading ----------------------------------------------------------------------------
  [[nodiscard]] std::size_t size() const noexcept { return nodes_.size(); }
  [[nodiscard]] bool empty() const noexcept { return nodes_.empty(); }
  [[nodiscard]] std::size_t edge_count() const noexcept { return edges_.size(); }
  [[nodiscard]] std::span<const Edge> edges() const noexcept { return edges_; }
  [[nodiscard]] std::size_t data_count() const noexcept { return data_.size(); }
  [[nodiscard]] std::string_view data_name(DataHandle data) const;

  /// The operation's name, or "op#<index>" when it was given none.
  [[nodiscard]] std::string name(OperationId op) const;
  [[nodiscard]] std::string_view component(OperationId op) const;
  [[nodiscard]] ExecutionPriority priority(OperationId op) const;
  [[nodiscard]] OperationDescriptor descriptor(OperationId op) const;
  /// Find an operation by name (first match); nullopt when there is none.
  [[nodiscard]] std::optional<OperationId> find(std::string_view name) const;
  /// Bytes held by the graph's storage (nodes, edges, names, compiled lists).
  [[nodiscard]] std::size_t memory_bytes() const noexcept;

  // ---- Analyses (graph_analysis.cpp) --------------------------------------------------------
  /// Throws CycleError naming the operations on one cycle; returns normally for a DAG.
  void validate() const;
  /// Kahn's order, always choosing the smallest ready index: deterministic, and equal to the
  /// creation order whenever that order respects every edge. Throws CycleError.
  [[nodiscard]] std::vector<OperationId> topological_order() const;
  /// level[i] = number of edges on the longest path from a source to i (sources are level 0).
  [[nodiscard]] std::vector<std::uint32_t> levels() const;
  /// Weakly connected components, each sorted by id, ordered by their smallest id.
  [[nodiscard]] std::vector<std::vector<OperationId>> independent_subgraphs() const;
  /// Longest path under `cost` (default: cost_hint_us, with 0 counted as 1).
  [[nodiscard]] CriticalPath critical_path(
      const std::function<double(OperationId)>& cost = {}) const;
  /// Graphviz DOT: one cluster per component, nodes labelled with name and priority.
  [[nodiscard]] std::string to_dot() const;

  /// Build the compiled form the executor runs (successor lists, join counts, sources by
  /// priority) and validate. Called by the executor; cheap when nothing changed since.
  void compile();

 private:
  friend class Operation;
  friend class detail::ExecutorCore;
  friend class detail::RunState;
  friend class detail::Worker;
  friend class ExecutionScheduler;  // submit_graph() copies each operation's work

  struct DataState {
    std::string name;
    std::uint32_t last_writer = detail::k_no_cause;
    std::vector<std::uint32_t> readers_since_write;
  };

  detail::Node& add_node(detail::OpFunction fn);
  [[nodiscard]] const detail::NodeMeta& meta(std::uint32_t index) const noexcept {
    static const detail::NodeMeta k_default;
    return index < meta_.size() ? meta_[index] : k_default;
  }
  [[nodiscard]] std::string_view name_view(std::uint32_t index) const noexcept {
    const detail::NodeMeta& m = meta(index);
    return std::string_view(names_).substr(m.name_offset, m.name_size);
  }
  [[nodiscard]] std::string_view component_view(std::uint32_t index) const noexcept {
    return components_[meta(index).component];
  }
  // Throws for a descriptor that set_descriptor could not take, before any state changes.
  void check_descriptor(const OperationDescriptor& descriptor) const;
  void set_descriptor(detail::Node& node, const OperationDescriptor& descriptor);
  void check_mutable() const;
  void check_op(OperationId op, const char* what) const;
  std::uint16_t intern_component(std::string_view component);
  void add_edge(std::uint32_t from, std::uint32_t to);

  template <class F>
  static detail::OpFunction wrap(F&& fn);

  detail::ChunkedVector<detail::Node> nodes_;
  std::vector<detail::NodeMeta> meta_;  // empty until an operation is described
  std::vector<Edge> edges_;
  std::vector<DataState> data_;
  std::string names_;                                   // arena of operation names
  std::vector<std::string> components_{std::string{}};  // id 0 = no component

  // Compiled form, rebuilt by compile() when `compiled_` is false.
  bool compiled_ = false;
  std::vector<detail::Node*> successor_list_;
  std::vector<std::uint32_t> sources_;  // sorted by priority, then index
  std::array<std::uint32_t, k_priority_levels + 1> source_level_begin_{};

  // Set by the executor for the duration of a run; epochs tell this run's statuses from older ones.
  std::atomic<detail::RunState*> active_run_{nullptr};
  std::uint32_t run_epoch_ = 0;
};

// ---- Template definitions ---------------------------------------------------------------------

template <class F>
detail::OpFunction OperationDependencyGraph::wrap(F&& fn) {
  using Fn = std::decay_t<F>;
  if constexpr (std::is_invocable_v<Fn&, OpContext&>) {
    return detail::OpFunction(std::forward<F>(fn));
  } else {
    static_assert(std::is_invocable_v<Fn&>, "an operation is callable as fn() or fn(OpContext&)");
    return detail::OpFunction([f = std::forward<F>(fn)](OpContext&) mutable { f(); });
  }
}

template <class F>
Operation OperationDependencyGraph::emplace(F&& fn) {
  detail::Node& node = add_node(wrap(std::forward<F>(fn)));
  return Operation(this, node.index);
}

template <class F>
Operation OperationDependencyGraph::add(const OperationDescriptor& descriptor, F&& fn) {
  check_descriptor(descriptor);
  detail::Node& node = add_node(wrap(std::forward<F>(fn)));
  set_descriptor(node, descriptor);
  return Operation(this, node.index);
}

template <class... Ops>
Operation& Operation::precede(Ops... others) {
  (graph_->precede(id(), others.id()), ...);
  return *this;
}

template <class... Ops>
Operation& Operation::succeed(Ops... others) {
  (graph_->precede(others.id(), id()), ...);
  return *this;
}

}  // namespace neat
