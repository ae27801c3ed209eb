// Stress: seeded random DAGs with random failures and cancellations. Checks DESIGN.md
// contracts 1 (exactly once, nothing dropped), 2 (order), 3 (no hang) and 5 (errors).
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/test_support.hpp"
#include "neat/common/error.hpp"
#include "neat/core/executor.hpp"

namespace neat {
namespace {

struct Trace {
  explicit Trace(std::size_t n) : starts(n), ends(n), runs(n) {}
  std::atomic<std::uint64_t> clock{1};
  std::vector<std::atomic<std::uint64_t>> starts;
  std::vector<std::atomic<std::uint64_t>> ends;
  std::vector<std::atomic<int>> runs;
};

struct RandomDag {
  OperationDependencyGraph graph;
  std::vector<Edge> edges;
  std::set<std::uint32_t> failing;
};

// Layered random DAG: each operation depends on up to 3 operations of earlier layers; some
// also share data handles so inferred edges are exercised. About 2% of operations throw.
void build_random_dag(RandomDag& dag, Trace& trace, std::uint32_t seed, std::size_t n) {
  std::mt19937 rng(seed);
  std::vector<DataHandle> data;
  for (int i = 0; i < 8; ++i) data.push_back(dag.graph.data("d" + std::to_string(i)));
  for (std::uint32_t i = 0; i < n; ++i) {
    const bool fails = rng() % 50 == 0;
    if (fails) dag.failing.insert(i);
    const auto priority = static_cast<ExecutionPriority>(rng() % 4);
    Operation op =
        dag.graph.add({.name = "op" + std::to_string(i), .priority = priority}, [&trace, i, fails] {
          trace.runs[i].fetch_add(1);
          trace.starts[i].store(trace.clock.fetch_add(1));
          if (fails) {
            trace.ends[i].store(trace.clock.fetch_add(1));
            throw std::runtime_error("injected failure");
          }
          trace.ends[i].store(trace.clock.fetch_add(1));
        });
    if (i > 0) {
      const std::uint32_t preds = rng() % 4;
      for (std::uint32_t k = 0; k < preds; ++k) {
        const std::uint32_t from = rng() % i;
        dag.graph.precede(OperationId{from}, op.id());
      }
    }
    if (rng() % 4 == 0) op.access(data[rng() % data.size()], static_cast<AccessMode>(rng() % 3));
  }
  dag.edges.assign(dag.graph.edges().begin(), dag.graph.edges().end());
}

class StressTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(StressTest, RandomDagsKeepTheContracts) {
  ParallelExecutor executor(ExecutorOptions{.workers = GetParam()});
  for (std::uint32_t seed = 1; seed <= 12; ++seed) {
    const std::size_t n = 1500;
    Trace trace(n);
    RandomDag dag;
    build_random_dag(dag, trace, seed, n);
    RunHandle run = executor.run(dag.graph);
    if (seed % 3 == 0) {
      std::this_thread::yield();
      run.cancel();  // cancellation at a random point of the run
    }
    test::finish_within(run);
    if (!dag.failing.empty() && seed % 3 != 0) {
      EXPECT_THROW(run.wait(), OperationFailed) << "seed " << seed;
    }
    const auto not_run = run.not_run();
    std::vector<const NotRunOperation*> by_id(n, nullptr);
    for (const NotRunOperation& r : not_run) {
      ASSERT_EQ(by_id[r.id.index], nullptr) << "listed twice: " << r.name;
      by_id[r.id.index] = &r;
      EXPECT_FALSE(r.reason.empty());
    }
    for (std::uint32_t i = 0; i < n; ++i) {
      const int runs = trace.runs[i].load();
      ASSERT_LE(runs, 1) << "seed " << seed << " op " << i << " ran twice";
      const OpStatus status = run.status(OperationId{i});
      ASSERT_TRUE(is_terminal(status));
      if (runs == 0) {
        // Contract 1: never ran -> listed, with a reason.
        ASSERT_NE(by_id[i], nullptr) << "seed " << seed << " op " << i << " silently dropped";
        EXPECT_EQ(status, OpStatus::cancelled);
      } else if (dag.failing.count(i) != 0) {
        EXPECT_EQ(status, OpStatus::failed);
      } else {
        EXPECT_EQ(status, OpStatus::completed);
        EXPECT_EQ(by_id[i], nullptr);
      }
    }
    for (const Edge& e : dag.edges) {
      if (trace.runs[e.to].load() == 0) continue;
      // Contract 2: a successor that ran started after its predecessor completed.
      ASSERT_EQ(trace.runs[e.from].load(), 1) << "op " << e.to << " ran without " << e.from;
      ASSERT_LT(trace.ends[e.from].load(), trace.starts[e.to].load())
          << "seed " << seed << ": " << e.from << " -> " << e.to << " order violated";
      ASSERT_EQ(dag.failing.count(e.from), 0u) << "dependent of a failed op ran";
    }
  }
}

TEST_P(StressTest, ConcurrentRunsOfDifferentGraphs) {
  ParallelExecutor executor(ExecutorOptions{.workers = GetParam()});
  constexpr int k_graphs = 6;
  std::vector<std::unique_ptr<OperationDependencyGraph>> graphs;
  std::atomic<int> ran{0};
  for (int g = 0; g < k_graphs; ++g) {
    auto graph = std::make_unique<OperationDependencyGraph>();
    Operation previous;
    for (int i = 0; i < 300; ++i) {
      Operation op = graph->emplace([&] { ran.fetch_add(1); });
      if (i % 3 != 0 && i > 0) previous.precede(op);
      previous = op;
    }
    graphs.push_back(std::move(graph));
  }
  std::vector<std::thread> callers;
  for (int g = 0; g < k_graphs; ++g) {
    callers.emplace_back([&, g] {
      for (int rep = 0; rep < 5; ++rep) {
        RunHandle run = executor.run(*graphs[g]);
        test::finish_within(run);
      }
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(ran.load(), k_graphs * 300 * 5);
}

INSTANTIATE_TEST_SUITE_P(Workers, StressTest, test::k_worker_counts, test::worker_name);

}  // namespace
}  // namespace neat
