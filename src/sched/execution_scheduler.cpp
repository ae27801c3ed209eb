#include "neat/sched/execution_scheduler.hpp"

#include "sched/scheduler_impl.hpp"

namespace neat {

detail::SchedOp& OpRef::op() const {
  if (!op_) throw Error("OpRef: empty handle (no operation)");
  return *op_;
}

OpStatus OpRef::status() const { return op().status(); }
bool OpRef::done() const { return op().done(); }
std::string OpRef::name() const { return op().name(); }
std::string OpRef::reason() const { return op().reason(); }

ExecutionPriority OpRef::effective_priority() const {
  detail::SchedOp& o = op();
  return o.scheduler->effective_priority(o);
}

void OpRef::wait() const {
  detail::SchedOp& o = op();
  o.scheduler->wait(o, std::nullopt);
  o.rethrow_outcome();
}

WaitStatus OpRef::wait_for(std::chrono::nanoseconds timeout) const {
  return wait_until(Clock::now() + timeout);
}

WaitStatus OpRef::wait_until(Clock::time_point deadline) const {
  detail::SchedOp& o = op();
  return o.scheduler->wait(o, deadline) ? WaitStatus::done : WaitStatus::timeout;
}

void OpRef::cancel() const {
  detail::SchedOp& o = op();
  o.scheduler->cancel(o);
}

ExecutionScheduler::ExecutionScheduler(ParallelExecutor& executor, SchedulerOptions options)
    : impl_(std::make_unique<detail::SchedulerImpl>(executor, options)) {}

ExecutionScheduler::~ExecutionScheduler() = default;

void ExecutionScheduler::enqueue(const std::shared_ptr<detail::SchedOp>& op,
                                 const Submission& submission) {
  impl_->enqueue(op, submission);
}

std::vector<OpHandle<void>> ExecutionScheduler::submit_graph(
    const OperationDependencyGraph& graph) {
  const std::vector<OperationId> order = graph.topological_order();  // CycleError: nothing done
  std::vector<std::vector<std::uint32_t>> predecessors(graph.size());
  for (const Edge& edge : graph.edges()) predecessors[edge.to].push_back(edge.from);
  for (OperationId id : order) impl_->validate_memory(graph.descriptor(id));
  std::vector<OpHandle<void>> handles(graph.size());
  for (OperationId id : order) {
    Submission submission{.descriptor = graph.descriptor(id)};
    for (std::uint32_t p : predecessors[id.index]) submission.after.push_back(handles[p]);
    handles[id.index] = submit(std::move(submission),
                               [work = graph.nodes_[id.index].work](OpContext& ctx) { work(ctx); });
  }
  return handles;
}

DataHandle ExecutionScheduler::data(std::string_view name) { return impl_->data(name); }
void ExecutionScheduler::wait_idle() { impl_->wait_idle(); }
void ExecutionScheduler::check_watchdog() { impl_->check_watchdog(); }
SchedulerStats ExecutionScheduler::stats() const { return impl_->stats(); }

}  // namespace neat
