// oneTBB flow-graph scaffolding for the peer versions: one graph of continue_nodes stored in a
// deque (nodes never move), the list of source nodes that each run try_puts to, and the
// parallelism limit for one benchmark call.
//
// Limit: tbb::global_control(max_allowed_parallelism, workers) for the whole benchmark call; the
// calling thread counts as one of the `workers` (it runs tasks inside wait_for_all), so oneTBB
// uses workers - 1 worker threads plus the caller, as many threads as neat's `workers`.
//
// Thread-safety: build and run from one thread.
//
//   neat::bench::FlowGraph fg;
//   fg.add(neat::bench::empty_body);  fg.add(neat::bench::empty_body);  fg.edge(0, 1);
//   fg.sources = {0};
//   fg.run();                          // as often as you like
#pragma once

#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/global_control.h>

#include <cstddef>
#include <deque>
#include <vector>

#include "shapes.hpp"
#include "timing.hpp"

namespace neat::bench {

using FlowNode = tbb::flow::continue_node<tbb::flow::continue_msg>;

inline tbb::flow::continue_msg empty_body(const tbb::flow::continue_msg&) {
  empty_task_body();
  return {};
}

struct FlowGraph {
  tbb::flow::graph graph;
  std::deque<FlowNode> nodes;
  std::vector<std::size_t> sources;
  std::size_t edge_count = 0;

  template <class Body>
  FlowNode& add(Body body) {
    return nodes.emplace_back(graph, body);
  }
  void edge(std::size_t from, std::size_t to) {
    tbb::flow::make_edge(nodes[from], nodes[to]);
    ++edge_count;
  }

  /// One run: put a message to every source, wait for the whole graph.
  void run() {
    for (std::size_t s : sources) nodes[s].try_put(tbb::flow::continue_msg{});
    graph.wait_for_all();
  }
};

/// oneTBB may use `workers` threads (the caller included) while this object lives.
inline tbb::global_control limit_tbb(int workers) {
  return tbb::global_control(tbb::global_control::max_allowed_parallelism,
                             static_cast<std::size_t>(workers));
}

}  // namespace neat::bench
