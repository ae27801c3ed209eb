// run_scheduled(): submit at arrival times, run the pipelines and request streams beside, wait,
// report.
// [workload.scheduled]
#include "neat/workload/scheduled_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <thread>
#include <unordered_map>

#include "neat/resources/component_registry.hpp"
#include "neat/resources/memory_budget.hpp"
#include "scheduled_parts.hpp"
#include "scheduled_stream.hpp"

namespace neat {
namespace {

using detail::ScheduledOp;
using detail::ScheduledPipelineRun;
using detail::ScheduledStreamRun;

// One thing to start at its arrival time: an operation or a pipeline.
struct Arrival {
  double ms = 0.0;
  bool pipeline = false;
  std::size_t index = 0;
};

// Operations in submission order, then pipelines; stable by time, so at equal times operations
// go first and keep their order.
std::vector<Arrival> arrivals(const Workload& workload) {
  std::vector<Arrival> out;
  for (std::size_t i : detail::submission_order(workload)) {
    out.push_back({workload.operations[i].arrive_ms, false, i});
  }
  for (std::size_t p = 0; p < workload.pipelines.size(); ++p) {
    out.push_back({workload.pipelines[p].arrive_ms, true, p});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Arrival& a, const Arrival& b) { return a.ms < b.ms; });
  return out;
}

// Everything one run needs, bound before the clock starts; the members outlive the scheduler
// and the pipeline runs that use them.
class ScheduledRunner {
 public:
  ScheduledRunner(const Workload& workload, ParallelExecutor& executor)
      : workload_(workload), executor_(executor), arrivals_(arrivals(workload)) {
    for (const OperationSpec& spec : workload.operations) {
      accesses_.push_back(resolve_accesses(spec));
      ops_.emplace_back(spec);
    }
    for (const PipelineSpec& spec : workload.pipelines) {
      pipelines_.push_back(std::make_unique<ScheduledPipelineRun>(spec));
    }
    for (std::size_t i = 0; i < ops_.size(); ++i) index_.emplace(workload.operations[i].name, i);
  }

  ScheduledRun run(const ScheduledRunOptions& options) {
    ScheduledRun out;
    out.workers = executor_.worker_count();
    {
      ExecutionScheduler scheduler(executor_, options.scheduler);
      std::vector<DataHandle> data;
      for (const std::string& name : workload_.data) data.push_back(scheduler.data(name));
      // After the scheduler, so that each batcher is gone before it.
      std::vector<std::unique_ptr<ScheduledStreamRun>> streams;
      for (const RequestStreamSpec& spec : workload_.request_streams) {
        streams.push_back(std::make_unique<ScheduledStreamRun>(
            spec, scheduler, options.scheduler.memory, options.batching));
      }
      start_ = Clock::now();
      for (const auto& stream : streams) stream->start(start_);
      for (const Arrival& arrival : arrivals_) {
        std::this_thread::sleep_until(start_ + detail::from_ms(arrival.ms));
        if (arrival.pipeline) {
          pipelines_[arrival.index]->start(executor_);
        } else {
          submit(scheduler, arrival.index, data);
        }
      }
      for (const auto& stream : streams) out.streams.push_back(stream->finish(start_));
      scheduler.wait_idle();
      for (const auto& pipeline : pipelines_) out.pipelines.push_back(pipeline->finish(start_));
      out.makespan_us = detail::micros_since(start_, Clock::now());
      out.stats = scheduler.stats();
      // While the scheduler lives: a handle asks it for the effective priority.
      for (const ScheduledOp& op : ops_) out.operations.push_back(op.report(start_));
    }
    out.start_latency = summarize(out.operations);
    return out;
  }

 private:
  // Indices into workload.data; parse_workload() guarantees they resolve, a Workload built by
  // hand may not.
  std::vector<std::pair<std::size_t, AccessMode>> resolve_accesses(const OperationSpec& spec) {
    std::vector<std::pair<std::size_t, AccessMode>> out;
    auto add = [&](const std::vector<std::string>& names, AccessMode mode) {
      for (const std::string& name : names) {
        const auto it = std::find(workload_.data.begin(), workload_.data.end(), name);
        if (it == workload_.data.end()) {
          throw Error(fmt::format("run_scheduled: operation '{}' names unknown data '{}'",
                                  spec.name, name));
        }
        out.emplace_back(static_cast<std::size_t>(it - workload_.data.begin()), mode);
      }
    };
    add(spec.reads, AccessMode::read);
    add(spec.writes, AccessMode::write);
    add(spec.read_writes, AccessMode::read_write);
    return out;
  }

  void submit(ExecutionScheduler& scheduler, std::size_t i, const std::vector<DataHandle>& data) {
    std::vector<OpRef> after;
    for (const std::string& name : workload_.operations[i].after) {
      after.push_back(ops_[index_.at(name)].handle());
    }
    std::vector<std::pair<DataHandle, AccessMode>> accesses;
    for (const auto& [d, mode] : accesses_[i]) accesses.emplace_back(data[d], mode);
    ops_[i].submit(scheduler, std::move(after), std::move(accesses));
  }

  static std::vector<StartLatency> summarize(const std::vector<ScheduledOperation>& ops) {
    std::vector<StartLatency> out;
    for (std::size_t level = 0; level < k_priority_levels; ++level) {
      StartLatency s{.priority = static_cast<ExecutionPriority>(level)};
      double total = 0.0;
      for (const ScheduledOperation& op : ops) {
        if (op.priority != s.priority) continue;
        ++s.operations;
        if (!op.start_latency_us) continue;
        ++s.started;
        total += *op.start_latency_us;
        s.max_us = std::max(s.max_us, *op.start_latency_us);
      }
      if (s.started > 0) s.mean_us = total / static_cast<double>(s.started);
      if (s.operations > 0) out.push_back(s);
    }
    return out;
  }

  const Workload& workload_;
  ParallelExecutor& executor_;
  std::vector<Arrival> arrivals_;
  std::vector<std::vector<std::pair<std::size_t, AccessMode>>> accesses_;
  std::deque<ScheduledOp> ops_;  // a deque: the operations' bodies point into their elements
  std::vector<std::unique_ptr<ScheduledPipelineRun>> pipelines_;
  std::unordered_map<std::string, std::size_t> index_;
  Clock::time_point start_{};
};

}  // namespace

std::size_t ScheduledRun::count(OpStatus status) const {
  return static_cast<std::size_t>(
      std::count_if(operations.begin(), operations.end(),
                    [status](const ScheduledOperation& op) { return op.status == status; }));
}

std::string ScheduledRun::first_failure() const {
  for (const ScheduledOperation& op : operations) {
    if (op.status == OpStatus::failed) {
      return fmt::format("operation '{}' failed: {}", op.name, op.reason);
    }
  }
  for (const ScheduledPipeline& p : pipelines) {
    if (p.status == "failed") return p.reason;
  }
  for (const ScheduledStream& s : streams) {
    if (s.failed > 0) {
      return fmt::format("request stream '{}': {} of {} requests failed: {}", s.name, s.failed,
                         s.requests, s.reason);
    }
  }
  return "";
}

namespace {

// [workload.memory] When a component declares a memory budget (and the caller gave no manager),
// the run shares the machine's memory among the components; every operation's memory need is
// checked against its component's budget before anything runs.
std::unique_ptr<MemoryBudgetManager> memory_for(const Workload& workload) {
  const bool budgets = std::any_of(workload.components.begin(), workload.components.end(),
                                   [](const ComponentSpec& c) { return c.memory_budget_bytes; });
  if (!budgets) return nullptr;
  auto memory = std::make_unique<MemoryBudgetManager>();
  ComponentResourceManager components(memory->total_bytes());
  for (const ComponentSpec& c : workload.components) {
    components.register_component({.name = c.name,
                                   .importance = c.importance.value_or(1.0),
                                   .default_priority = c.priority,
                                   .memory_budget_bytes = c.memory_budget_bytes,
                                   .device = c.device});
  }
  memory->register_components(components);
  for (const OperationSpec& op : workload.operations) {
    if (op.memory_bytes == 0) continue;
    if (op.component.empty()) {
      throw Error(fmt::format("{}: operation '{}' declares memory_bytes but no component whose "
                              "budget would pay for it", workload.source, op.name));
    }
    if (op.memory_bytes > memory->budget_bytes(op.component)) {
      throw Error(fmt::format("{}: operation '{}' needs {} bytes but component '{}' has a memory "
                              "budget of {} bytes",
                              workload.source, op.name, op.memory_bytes, op.component,
                              memory->budget_bytes(op.component)));
    }
  }
  for (const RequestStreamSpec& stream : workload.request_streams) {
    if (stream.memory_bytes > memory->budget_bytes(stream.component)) {
      throw Error(
          fmt::format("{}: a request of stream '{}' needs {} bytes but component '{}' has "
                      "a memory budget of {} bytes",
                      workload.source, stream.name, stream.memory_bytes, stream.component,
                      memory->budget_bytes(stream.component)));
    }
  }
  return memory;
}

}  // namespace

ScheduledRun run_scheduled(const Workload& workload, ParallelExecutor& executor,
                           const ScheduledRunOptions& options) {
  if (executor.current_worker() != k_not_a_worker) {
    throw Error("run_scheduled: must not be called from a worker of the executor it runs on");
  }
  ScheduledRunOptions effective = options;
  std::unique_ptr<MemoryBudgetManager> memory;
  if (effective.scheduler.memory == nullptr) {
    memory = memory_for(workload);
    effective.scheduler.memory = memory.get();
  }
  return ScheduledRunner(workload, executor).run(effective);
}

}  // namespace neat
