// The sequential baseline: every operation on the calling thread, in topological order, with
// the same observer events an executor run gives. [workload.sequential]
#include <fmt/format.h>

#include <atomic>
#include <exception>

#include "neat/trace/observer.hpp"
#include "neat/workload/workload.hpp"

namespace neat {
namespace {

// Sequential runs take ids from the top half of the range so they never equal an executor's.
std::atomic<std::uint64_t> g_next_run_id{std::uint64_t{1} << 63};

class SequentialRunner {
 public:
  SequentialRunner(const BuiltWorkload& built, Observer* observer)
      : built_(built), graph_(*built.graph), observer_(observer) {
    const std::size_t n = graph_.size();
    workload_index_.assign(n, 0);
    for (std::size_t i = 0; i < built_.operations.size(); ++i) {
      workload_index_[built_.operations[i].index] = i;
    }
    pending_.assign(n, 0);
    successors_.resize(n);
    for (const Edge& e : graph_.edges()) {
      ++pending_[e.to];
      successors_[e.from].push_back(e.to);
    }
  }

  SequentialRun run() {
    SequentialRun result;
    result.order = graph_.topological_order();
    result.durations.assign(built_.operations.size(), std::chrono::nanoseconds{0});
    const Clock::time_point start = Clock::now();
    emit_run(&Observer::on_run_begin, start);
    for (std::uint32_t i = 0; i < pending_.size(); ++i) {
      if (pending_[i] == 0) emit(&Observer::on_operation_ready, i, OpStatus::ready, k_not_a_worker);
    }
    for (std::size_t position = 0; position < result.order.size(); ++position) {
      const std::uint32_t op = result.order[position].index;
      const Clock::time_point begin = emit(&Observer::on_operation_start, op, OpStatus::running, 0);
      try {
        built_.kernels[workload_index_[op]]();
      } catch (...) {
        fail(result, position, std::current_exception());
      }
      const Clock::time_point end = emit(&Observer::on_operation_end, op, OpStatus::completed, 0);
      result.durations[workload_index_[op]] = end - begin;
      for (std::uint32_t next : successors_[op]) {
        if (--pending_[next] == 0) emit(&Observer::on_operation_ready, next, OpStatus::ready, 0);
      }
    }
    result.makespan = emit_run(&Observer::on_run_end, Clock::now()) - start;
    return result;
  }

 private:
  using RunCallback = void (Observer::*)(const RunEvent&);
  using OperationCallback = void (Observer::*)(const OperationEvent&);

  Clock::time_point emit_run(RunCallback callback, Clock::time_point time) {
    if (observer_ != nullptr) {
      (observer_->*callback)(RunEvent{run_id_, graph_.size(), 1, time});
    }
    return time;
  }

  Clock::time_point emit(OperationCallback callback, std::uint32_t op, OpStatus status,
                         std::size_t worker) {
    const Clock::time_point now = Clock::now();
    if (observer_ != nullptr) {
      const std::string name = graph_.name(OperationId{op});
      (observer_->*callback)(OperationEvent{run_id_, op, name, graph_.component(OperationId{op}),
                                            graph_.priority(OperationId{op}), status, worker, now});
    }
    return now;
  }

  // The operation at `position` threw: report it failed and the rest cancelled, then throw.
  [[noreturn]] void fail(const SequentialRun& result, std::size_t position,
                         std::exception_ptr error) {
    const OperationId failed = result.order[position];
    emit(&Observer::on_operation_end, failed.index, OpStatus::failed, 0);
    for (std::size_t rest = position + 1; rest < result.order.size(); ++rest) {
      emit(&Observer::on_operation_end, result.order[rest].index, OpStatus::cancelled,
           k_not_a_worker);
    }
    emit_run(&Observer::on_run_end, Clock::now());
    throw OperationFailed(graph_.name(failed), std::string(graph_.component(failed)),
                          std::move(error));
  }

  const BuiltWorkload& built_;
  const OperationDependencyGraph& graph_;
  Observer* observer_;
  const std::uint64_t run_id_ = g_next_run_id.fetch_add(1, std::memory_order_relaxed);
  std::vector<std::size_t> workload_index_;
  std::vector<std::uint32_t> pending_;
  std::vector<std::vector<std::uint32_t>> successors_;
};

}  // namespace

SequentialRun run_sequential(const BuiltWorkload& built, Observer* observer) {
  if (built.graph == nullptr || built.graph->size() != built.operations.size()) {
    throw Error(
        fmt::format("run_sequential: the graph must hold exactly the {} operations that "
                    "instantiate() added",
                    built.operations.size()));
  }
  return SequentialRunner(built, observer).run();
}

}  // namespace neat
