#include "neat/core/executor.hpp"

#include "core/executor_core.hpp"
#include "neat/common/error.hpp"

namespace neat {

detail::ExecutorCore& detail::core_of(ParallelExecutor& executor) noexcept {
  return *executor.core_;
}

ParallelExecutor::ParallelExecutor(ExecutorOptions options)
    : core_(std::make_unique<detail::ExecutorCore>(*this, options)) {}

ParallelExecutor::~ParallelExecutor() = default;

std::size_t ParallelExecutor::worker_count() const noexcept {
  return core_->worker_count();
}

RunHandle ParallelExecutor::run(OperationDependencyGraph& graph) {
  return RunHandle(core_->start(graph, nullptr));
}

RunHandle ParallelExecutor::run_owned(std::unique_ptr<OperationDependencyGraph> graph) {
  OperationDependencyGraph& ref = *graph;
  return RunHandle(core_->start(ref, std::move(graph)));
}

void ParallelExecutor::wait_for_all() {
  if (core_->current_worker() != nullptr) {
    throw Error("ParallelExecutor::wait_for_all: must not be called from one of its workers");
  }
  core_->wait_for_all();
}

std::vector<WorkerStats> ParallelExecutor::worker_stats() const {
  std::vector<WorkerStats> stats;
  stats.reserve(core_->worker_count());
  for (std::size_t i = 0; i < core_->worker_count(); ++i) {
    const detail::Worker& w = core_->worker(i);
    stats.push_back(WorkerStats{w.executed.load(std::memory_order_relaxed),
                                w.steals.load(std::memory_order_relaxed),
                                w.sleeps.load(std::memory_order_relaxed)});
  }
  return stats;
}

std::size_t ParallelExecutor::current_worker() const noexcept {
  const detail::Worker* w = core_->current_worker();
  return w != nullptr ? w->index() : k_not_a_worker;
}

}  // namespace neat
