// Scheduling behaviour: priority order of ready work, observer events, sleeping when idle.
#include <gtest/gtest.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "core/test_support.hpp"
#include "neat/common/error.hpp"
#include "neat/core/executor.hpp"
#include "neat/trace/observer.hpp"

namespace neat {
namespace {

using namespace std::chrono_literals;

TEST(PriorityOrder, SingleWorkerRunsReadySourcesMostUrgentFirst) {
  ParallelExecutor executor(ExecutorOptions{.workers = 1});
  OperationDependencyGraph graph;
  std::vector<ExecutionPriority> order;
  const ExecutionPriority levels[] = {ExecutionPriority::low, ExecutionPriority::medium,
                                      ExecutionPriority::critical, ExecutionPriority::high};
  for (int i = 0; i < 40; ++i) {
    const ExecutionPriority p = levels[i % 4];
    graph.add({.priority = p}, [&order, p] { order.push_back(p); });
  }
  RunHandle run = executor.run(graph);
  test::finish_within(run);
  ASSERT_EQ(order.size(), 40u);
  for (std::size_t i = 1; i < order.size(); ++i) {
    ASSERT_LE(order[i - 1], order[i]) << "position " << i;
  }
}

TEST(PriorityOrder, ReadySuccessorsRunMostUrgentFirst) {
  ParallelExecutor executor(ExecutorOptions{.workers = 1});
  OperationDependencyGraph graph;
  std::vector<ExecutionPriority> order;
  auto root = graph.emplace([] {});
  for (ExecutionPriority p : {ExecutionPriority::low, ExecutionPriority::high,
                              ExecutionPriority::medium, ExecutionPriority::critical}) {
    auto op = graph.add({.priority = p}, [&order, p] { order.push_back(p); });
    root.precede(op);
  }
  RunHandle run = executor.run(graph);
  test::finish_within(run);
  const std::vector<ExecutionPriority> expected{ExecutionPriority::critical,
                                                ExecutionPriority::high, ExecutionPriority::medium,
                                                ExecutionPriority::low};
  EXPECT_EQ(order, expected);
}

TEST(PriorityOrder, UrgentSourcesOfAnotherRunDoNotDropClaimedOnes) {
  // One worker claims a chunk of run A's low sources; run B's critical sources arrive while it
  // works through them. Both runs must complete, every operation exactly once.
  ParallelExecutor executor(ExecutorOptions{.workers = 1});
  OperationDependencyGraph low_graph;
  OperationDependencyGraph urgent_graph;
  std::vector<std::atomic<int>> low_runs(600);
  std::atomic<bool> started{false};
  for (std::size_t i = 0; i < low_runs.size(); ++i) {
    low_graph.add({.priority = ExecutionPriority::low}, [&, i] {
      started.store(true);
      low_runs[i].fetch_add(1);
      std::this_thread::sleep_for(20us);
    });
  }
  std::atomic<int> urgent_runs{0};
  for (int i = 0; i < 10; ++i) {
    urgent_graph.add({.priority = ExecutionPriority::critical}, [&] { urgent_runs.fetch_add(1); });
  }
  RunHandle low = executor.run(low_graph);
  while (!started.load()) std::this_thread::yield();
  RunHandle urgent = executor.run(urgent_graph);
  test::finish_within(urgent, std::chrono::seconds(30));
  test::finish_within(low, std::chrono::seconds(30));
  EXPECT_EQ(urgent_runs.load(), 10);
  for (std::size_t i = 0; i < low_runs.size(); ++i) ASSERT_EQ(low_runs[i].load(), 1) << i;
}

/// Counts events per kind and checks their order per operation.
class RecordingObserver : public Observer {
 public:
  void on_run_begin(const RunEvent& e) override {
    std::lock_guard<std::mutex> lock(mutex_);
    ++run_begins;
    operations = e.operations;
  }
  void on_run_end(const RunEvent&) override {
    std::lock_guard<std::mutex> lock(mutex_);
    ++run_ends;
  }
  void on_operation_ready(const OperationEvent& e) override { record(e, 'r'); }
  void on_operation_start(const OperationEvent& e) override { record(e, 's'); }
  void on_operation_end(const OperationEvent& e) override { record(e, 'e'); }
  void on_steal(const StealEvent&) override { steals.fetch_add(1); }
  void on_worker_sleep(std::size_t, Clock::time_point) override { sleeps.fetch_add(1); }
  void on_worker_wake(std::size_t, Clock::time_point) override { wakes.fetch_add(1); }

  std::map<std::uint32_t, std::string> sequence() {
    std::lock_guard<std::mutex> lock(mutex_);
    return sequence_;
  }
  std::map<std::uint32_t, OpStatus> end_status() {
    std::lock_guard<std::mutex> lock(mutex_);
    return end_status_;
  }
  int run_begins = 0;
  int run_ends = 0;
  std::size_t operations = 0;
  std::atomic<int> steals{0};
  std::atomic<int> sleeps{0};
  std::atomic<int> wakes{0};

 private:
  void record(const OperationEvent& e, char kind) {
    std::lock_guard<std::mutex> lock(mutex_);
    sequence_[e.operation] += kind;
    if (kind == 'e') end_status_[e.operation] = e.status;
    if (kind == 's') {
      EXPECT_NE(e.worker, k_not_a_worker);
    }
  }
  std::mutex mutex_;
  std::map<std::uint32_t, std::string> sequence_;
  std::map<std::uint32_t, OpStatus> end_status_;
};

class ObserverTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(ObserverTest, EveryOperationIsReadyThenStartsThenEnds) {
  RecordingObserver observer;
  {
    ParallelExecutor executor(ExecutorOptions{.workers = GetParam(), .observer = &observer});
    OperationDependencyGraph graph;
    auto a = graph.add({.name = "a", .component = "c"}, [] {});
    auto b = graph.emplace([] { std::this_thread::sleep_for(100us); });
    auto c = graph.emplace([] { throw 1; });
    auto d = graph.emplace([] {});
    a.precede(b);
    c.precede(d);
    RunHandle run = executor.run(graph);
    test::finish_within(run);
    EXPECT_THROW(run.wait(), OperationFailed);
  }
  EXPECT_EQ(observer.run_begins, 1);
  EXPECT_EQ(observer.run_ends, 1);
  EXPECT_EQ(observer.operations, 4u);
  auto sequence = observer.sequence();
  EXPECT_EQ(sequence[0], "rse");
  EXPECT_EQ(sequence[1], "rse");
  EXPECT_EQ(sequence[2], "rse");
  EXPECT_EQ(sequence[3], "re");  // cancelled: ready, then end without start
  auto status = observer.end_status();
  EXPECT_EQ(status[2], OpStatus::failed);
  EXPECT_EQ(status[3], OpStatus::cancelled);
}

INSTANTIATE_TEST_SUITE_P(Workers, ObserverTest, test::k_worker_counts, test::worker_name);

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

TEST(Idle, IdleWorkersSleepAndBurnNoCpu) {
  RecordingObserver observer;
  ParallelExecutor executor(ExecutorOptions{.workers = 4, .observer = &observer});
  executor.submit({}, [] {}).wait();
  // Let the spin phase end. Its yields can take a scheduler time slice each on a loaded
  // machine, so wait for the sleeps themselves (bounded) rather than for a fixed time.
  const auto limit = std::chrono::steady_clock::now() + 20s;
  while (observer.sleeps.load() < 4 && std::chrono::steady_clock::now() < limit) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_GE(observer.sleeps.load(), 4) << "every idle worker sleeps within 20 s";
  const double before = process_cpu_seconds();
  std::this_thread::sleep_for(500ms);
  const double used = process_cpu_seconds() - before;
  // Four sleeping workers: nothing but noise. A single spinning worker would use ~0.5 s.
  EXPECT_LT(used, 0.05) << "CPU seconds used by an idle executor in 0.5 s";
  EXPECT_GE(observer.sleeps.load(), 4);
  std::uint64_t sleeps = 0;
  for (const WorkerStats& s : executor.worker_stats()) sleeps += s.sleeps;
  EXPECT_GE(sleeps, 4u);
}

TEST(Idle, SleepingWorkersWakeForNewWork) {
  ParallelExecutor executor(ExecutorOptions{.workers = 2});
  for (int round = 0; round < 20; ++round) {
    std::this_thread::sleep_for(2ms);  // workers go to sleep in between
    RunHandle run = executor.submit({}, [] {});
    test::finish_within(run, std::chrono::seconds(10));
  }
}

TEST(Steal, WorkSpreadsAcrossWorkers) {
  RecordingObserver observer;
  ParallelExecutor executor(ExecutorOptions{.workers = 4, .observer = &observer});
  OperationDependencyGraph graph;
  std::mutex mutex;
  std::map<std::size_t, int> per_worker;
  auto root = graph.emplace([] {});
  for (int i = 0; i < 64; ++i) {
    auto op = graph.emplace([&](OpContext& ctx) {
      std::this_thread::sleep_for(1ms);
      std::lock_guard<std::mutex> lock(mutex);
      ++per_worker[ctx.worker_index()];
    });
    root.precede(op);  // all pushed on root's worker: others must steal
  }
  RunHandle run = executor.run(graph);
  test::finish_within(run);
  EXPECT_GT(per_worker.size(), 1u);
  EXPECT_GT(observer.steals.load(), 0);
}

}  // namespace
}  // namespace neat
