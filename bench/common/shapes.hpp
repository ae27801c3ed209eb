// The fixed shapes of the scheduling-overhead workloads, shared by the neat, tbb and omp
// versions so that all three build exactly the same DAG.
//
// independent: k_independent_tasks tasks, no edges.
// chain:       k_chain_tasks tasks, task i -> task i+1.
// fork_join:   a binary fork tree of depth k_fork_depth (2^20 - 1 = 1,048,575 fork nodes in heap
//              order: node k forks to 2k+1 and 2k+2; the 2^19 nodes of the last level are the
//              leaves), mirrored by a join tree with one join node per internal fork node
//              (2^19 - 1 = 524,287 join nodes). Join node J(k) waits for its two children's
//              results: a leaf child itself, or the child's join node. J(0) is the single sink.
//              tasks = nodes = 1,572,862; edges = 2 * (2^20 - 2) = 2,097,148.
// wavefront:   k_wavefront_side^2 cells; cell (i, j) waits for (i-1, j) and (i, j-1).
//              tasks = 1,048,576; edges = 2 * 1024 * 1023 = 2,095,104.
//
// Thread-safety: constants and pure functions only.
#pragma once

#include <cstddef>
#include <cstdint>

namespace neat::bench {

/// The body of every "empty" task, in all three implementations: no work, but a compiler
/// barrier, so that no compiler can prove the task useless and drop it (GCC removes an empty
/// `#pragma omp task {}` altogether).
inline void empty_task_body() noexcept {
  asm volatile("" ::: "memory");
}

inline constexpr std::size_t k_independent_tasks = 1'000'000;
inline constexpr std::size_t k_chain_tasks = 1'000'000;
inline constexpr std::size_t k_build_operations = 1'000'000;

namespace fork_join {
inline constexpr std::uint32_t k_depth = 20;
inline constexpr std::uint32_t k_fork_nodes = (1u << k_depth) - 1;            // 1,048,575
inline constexpr std::uint32_t k_internal_nodes = (1u << (k_depth - 1)) - 1;  // 524,287
inline constexpr std::uint32_t k_join_nodes = k_internal_nodes;
inline constexpr std::size_t k_tasks = std::size_t{k_fork_nodes} + k_join_nodes;
inline constexpr std::size_t k_edges = 2 * (std::size_t{k_fork_nodes} - 1);

/// Fork node k (heap order) has children 2k+1 and 2k+2 exactly when it is internal.
constexpr bool is_leaf(std::uint32_t k) noexcept {
  return k >= k_internal_nodes;
}
/// Task index of the join node of internal fork node k: join nodes follow the fork nodes.
constexpr std::uint32_t join_task(std::uint32_t k) noexcept {
  return k_fork_nodes + k;
}
/// The task a join node waits for on behalf of fork child c: c itself if it is a leaf,
/// else the join node of c.
constexpr std::uint32_t join_input(std::uint32_t c) noexcept {
  return is_leaf(c) ? c : join_task(c);
}
}  // namespace fork_join

namespace wavefront {
inline constexpr std::size_t k_side = 1024;
inline constexpr std::size_t k_tasks = k_side * k_side;
inline constexpr std::size_t k_edges = 2 * k_side * (k_side - 1);
constexpr std::size_t cell(std::size_t i, std::size_t j) noexcept {
  return i * k_side + j;
}
}  // namespace wavefront

}  // namespace neat::bench
