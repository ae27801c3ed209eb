// Building and compiling an OperationDependencyGraph. Analyses live in graph_analysis.cpp.
#include "neat/core/graph.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <thread>

#include "neat/common/error.hpp"
#include "neat/detail/assert.hpp"

namespace neat {

OperationDependencyGraph::~OperationDependencyGraph() {
  // A graph must outlive its run; if the owner forgot, wait rather than free memory in use.
  while (active_run_.load(std::memory_order_acquire) != nullptr) std::this_thread::yield();
}

void OperationDependencyGraph::check_mutable() const {
  if (active_run_.load(std::memory_order_relaxed) != nullptr) {
    throw Error("OperationDependencyGraph: cannot change a graph while it is running");
  }
}

void OperationDependencyGraph::check_op(OperationId op, const char* what) const {
  if (op.index >= nodes_.size()) {
    throw Error(fmt::format("OperationDependencyGraph::{}: unknown operation id {} (graph has {})",
                            what, op.index, nodes_.size()));
  }
}

detail::Node& OperationDependencyGraph::add_node(detail::OpFunction fn) {
  check_mutable();
  if (nodes_.size() >= std::numeric_limits<std::uint32_t>::max() - 2) {
    throw Error("OperationDependencyGraph: too many operations (limit is 2^32 - 3)");
  }
  compiled_ = false;
  return nodes_.emplace_back(this, std::move(fn), static_cast<std::uint32_t>(nodes_.size()));
}

void OperationDependencyGraph::check_descriptor(const OperationDescriptor& descriptor) const {
  // Stored as float: reject what a float cannot hold as well as negatives and NaN.
  if (!(descriptor.cost_hint_us >= 0.0 &&
        descriptor.cost_hint_us <= std::numeric_limits<float>::max())) {
    throw Error(
        fmt::format("operation '{}': cost_hint_us must be a finite, non-negative number (got {})",
                    descriptor.name.empty() ? fmt::format("op#{}", nodes_.size()) : descriptor.name,
                    descriptor.cost_hint_us));
  }
  if (components_.size() > std::numeric_limits<std::uint16_t>::max() &&
      !descriptor.component.empty() &&
      std::find(components_.begin(), components_.end(), descriptor.component) ==
          components_.end()) {
    throw Error(
        fmt::format("operation '{}': too many components (limit is 65535)", descriptor.name));
  }
}

void OperationDependencyGraph::set_descriptor(detail::Node& node,
                                              const OperationDescriptor& descriptor) {
  if (meta_.size() < nodes_.size()) meta_.resize(nodes_.size());
  detail::NodeMeta& m = meta_[node.index];
  m.component = intern_component(descriptor.component);
  m.name_offset = static_cast<std::uint32_t>(names_.size());
  m.name_size = static_cast<std::uint32_t>(descriptor.name.size());
  names_ += descriptor.name;
  m.device = descriptor.device;
  m.cost_hint_us = static_cast<float>(descriptor.cost_hint_us);
  m.memory_bytes = descriptor.memory_bytes;
  node.priority = descriptor.priority;
}

std::uint16_t OperationDependencyGraph::intern_component(std::string_view component) {
  if (component.empty()) return 0;
  for (std::size_t i = 1; i < components_.size(); ++i) {
    if (components_[i] == component) return static_cast<std::uint16_t>(i);
  }
  NEAT_ASSERT(components_.size() <= std::numeric_limits<std::uint16_t>::max(),
              "check_descriptor rejects a component beyond the limit");
  components_.emplace_back(component);
  return static_cast<std::uint16_t>(components_.size() - 1);
}

DataHandle OperationDependencyGraph::data(std::string_view name) {
  check_mutable();
  data_.push_back(DataState{std::string(name), detail::k_no_cause, {}});
  return DataHandle{static_cast<std::uint32_t>(data_.size() - 1)};
}

void OperationDependencyGraph::add_edge(std::uint32_t from, std::uint32_t to) {
  edges_.push_back(Edge{from, to});
  ++nodes_[from].successor_count;
  ++nodes_[to].initial_pending;
}

void OperationDependencyGraph::precede(OperationId from, OperationId to) {
  check_mutable();
  check_op(from, "precede");
  check_op(to, "precede");
  compiled_ = false;
  add_edge(from.index, to.index);
}

// [core.infer] StarPU-style inference, in the order accesses are declared:
// a read depends on the last writer (RAW); a write depends on every reader since the last
// write (WAR) or, when there is none, on the last writer (WAW).
void OperationDependencyGraph::access(OperationId op, DataHandle handle, AccessMode mode) {
  check_mutable();
  check_op(op, "access");
  if (handle.index >= data_.size()) {
    throw Error(
        fmt::format("OperationDependencyGraph::access: unknown data handle {} (graph has {})",
                    handle.index, data_.size()));
  }
  compiled_ = false;
  DataState& d = data_[handle.index];
  const std::uint32_t me = op.index;
  const bool reads = mode != AccessMode::write;
  const bool writes = mode != AccessMode::read;
  if (!writes) {
    if (d.last_writer != detail::k_no_cause && d.last_writer != me) add_edge(d.last_writer, me);
    d.readers_since_write.push_back(me);
    return;
  }
  bool depends_on_writer = reads || d.readers_since_write.empty();
  for (std::uint32_t reader : d.readers_since_write) {
    if (reader != me) add_edge(reader, me);
    // A reader that is this very operation already ordered it after the last writer.
    if (reader == me) depends_on_writer = true;
  }
  if (depends_on_writer && d.last_writer != detail::k_no_cause && d.last_writer != me) {
    add_edge(d.last_writer, me);
  }
  d.readers_since_write.clear();
  d.last_writer = me;
}

void OperationDependencyGraph::reserve(std::size_t /*operations*/, std::size_t edges) {
  // Node storage grows in fixed chunks and never copies, so only edges benefit.
  edges_.reserve(edges);
}

std::string_view OperationDependencyGraph::data_name(DataHandle handle) const {
  if (handle.index >= data_.size()) {
    throw Error(
        fmt::format("OperationDependencyGraph::data_name: unknown data handle {}", handle.index));
  }
  return data_[handle.index].name;
}

std::string OperationDependencyGraph::name(OperationId op) const {
  check_op(op, "name");
  const std::string_view text = name_view(op.index);
  if (text.empty()) return fmt::format("op#{}", op.index);
  return std::string(text);
}

std::string_view OperationDependencyGraph::component(OperationId op) const {
  check_op(op, "component");
  return component_view(op.index);
}

ExecutionPriority OperationDependencyGraph::priority(OperationId op) const {
  check_op(op, "priority");
  return nodes_[op.index].priority;
}

OperationDescriptor OperationDependencyGraph::descriptor(OperationId op) const {
  check_op(op, "descriptor");
  const detail::NodeMeta& m = meta(op.index);
  return OperationDescriptor{
      .name = std::string(name_view(op.index)),
      .component = std::string(component_view(op.index)),
      .priority = nodes_[op.index].priority,
      .cost_hint_us = m.cost_hint_us,
      .memory_bytes = m.memory_bytes,
      .device = m.device,
  };
}

std::optional<OperationId> OperationDependencyGraph::find(std::string_view wanted) const {
  if (wanted.empty()) return std::nullopt;  // anonymous operations have no name to match
  for (std::uint32_t i = 0; i < meta_.size(); ++i) {
    if (name_view(i) == wanted) return OperationId{i};
  }
  return std::nullopt;
}

std::size_t OperationDependencyGraph::memory_bytes() const noexcept {
  std::size_t bytes = nodes_.capacity_bytes() + meta_.capacity() * sizeof(detail::NodeMeta) +
                      edges_.capacity() * sizeof(Edge) + names_.capacity() +
                      successor_list_.capacity() * sizeof(detail::Node*) +
                      sources_.capacity() * sizeof(std::uint32_t);
  for (const DataState& d : data_) bytes += sizeof(d) + d.readers_since_write.capacity() * 4;
  return bytes;
}

Operation& Operation::reads(DataHandle data) {
  return access(data, AccessMode::read);
}
Operation& Operation::writes(DataHandle data) {
  return access(data, AccessMode::write);
}
Operation& Operation::read_writes(DataHandle data) {
  return access(data, AccessMode::read_write);
}
Operation& Operation::access(DataHandle data, AccessMode mode) {
  graph_->access(id(), data, mode);
  return *this;
}
std::string_view Operation::name() const {
  return graph_->name_view(index_);
}

// [core.compile] Join counts and successor counts are kept as edges are added, so compiling
// is one pass over the nodes (successor offsets, counters, sources by priority) and one over
// the edges (successor lists).
void OperationDependencyGraph::compile() {
  if (compiled_) return;
  check_mutable();
  const std::size_t n = nodes_.size();
  successor_list_.resize(edges_.size());
  std::vector<std::uint32_t> cursor(n);
  std::array<std::vector<std::uint32_t>, k_priority_levels> by_level;
  std::uint32_t offset = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    detail::Node& node = nodes_[i];
    cursor[i] = offset;
    node.successors = successor_list_.data() + offset;
    offset += node.successor_count;
    // Join counters start full; the executor refills each one as it reaches zero. [core.reset]
    node.pending.store(node.initial_pending, std::memory_order_relaxed);
    if (node.initial_pending == 0) by_level[static_cast<std::size_t>(node.priority)].push_back(i);
  }
  for (const Edge& e : edges_) successor_list_[cursor[e.from]++] = &nodes_[e.to];
  sources_.clear();
  for (std::size_t l = 0; l < k_priority_levels; ++l) {
    source_level_begin_[l] = static_cast<std::uint32_t>(sources_.size());
    sources_.insert(sources_.end(), by_level[l].begin(), by_level[l].end());
  }
  source_level_begin_[k_priority_levels] = static_cast<std::uint32_t>(sources_.size());
  // A cycle leaves operations that no source reaches; validate() names it.
  if (!edges_.empty()) validate();
  compiled_ = true;
}

}  // namespace neat
