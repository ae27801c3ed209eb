#include "core/worker.hpp"

#include <thread>

#include "core/executor_core.hpp"
#include "neat/core/op_context.hpp"

namespace neat::detail {
namespace {

thread_local Worker* tls_worker = nullptr;

constexpr int k_spin_rounds = 64;  // find_work attempts before a worker goes to sleep

std::uint32_t pack_state(std::uint32_t epoch, OpStatus status) noexcept {
  return (epoch << 8) | static_cast<std::uint32_t>(status);
}

// The OpContext's view of a graph operation.
class GraphOperationInfo final : public OperationInfo {
 public:
  GraphOperationInfo(const Node& node, const RunState& run) noexcept : node_(node), run_(run) {}
  OperationId id() const noexcept override { return OperationId{node_.index}; }
  std::string name() const override { return run_.graph().name(id()); }
  std::string_view component() const override { return run_.graph().component(id()); }
  ExecutionPriority priority() const noexcept override { return node_.priority; }
  bool stop_requested() const noexcept override { return run_.cancelled(); }
  std::stop_token stop_token() const noexcept override { return run_.stop_token(); }

 private:
  const Node& node_;
  const RunState& run_;
};

}  // namespace

OperationEvent Worker::make_event(const RunState& run, const Node& node, OpStatus status,
                                  std::size_t worker) {
  const OperationDependencyGraph& g = run.graph();
  return OperationEvent{
      .run_id = run.id(),
      .operation = node.index,
      .name = g.name_view(node.index),
      .component = g.component_view(node.index),
      .priority = node.priority,
      .status = status,
      .worker = worker,
      .time = Clock::now(),
  };
}

Worker* current_worker_of(const ExecutorCore& core) noexcept {
  return tls_worker != nullptr && &tls_worker->core() == &core ? tls_worker : nullptr;
}

Worker::Worker(ExecutorCore& core, std::size_t index)
    : core_(core),
      index_(index),
      observer_(core.observer()),
      rng_(static_cast<std::uint32_t>(index * 7919 + 17)) {}

void Worker::run() {
  tls_worker = this;
  while (true) {
    Item item = find_work();
    if (item == 0) {
      flush_completions();
      if (!spin_for_work(item)) {
        if (core_.stopping()) break;
        suspend();
        continue;
      }
    }
    execute(item);
  }
  tls_worker = nullptr;
}

// [core.find] Most urgent level first: own queue, then claimed/unclaimed sources of runs.
// Stealing comes last so that a worker with local work never touches other workers' lines.
Worker::Item Worker::find_work() {
  for (std::size_t level = 0; level < k_priority_levels; ++level) {
    if (Item item = find_at(level)) return item;
  }
  return steal();
}

Worker::Item Worker::find_at(std::size_t level) {
  if (Item item = queues_[level].pop()) return item;
  SourceBatch& batch = batches_[level];
  if (batch.has_work()) return take_source(batch);
  if (core_.sources_available(level)) {
    // A run publishes the sources of all its levels at once; a scan that passed the more
    // urgent levels just before they appeared must not settle for this one.
    const std::size_t urgent = core_.most_urgent_source_level();
    if (urgent < level) {
      if (Item item = find_at(urgent)) return item;
    }
    if (core_.claim_sources(level, batch)) return take_source(batch);
  }
  if (core_.jobs_posted(level)) {
    if (Job* job = core_.take_posted(level)) return reinterpret_cast<Item>(job) | k_job_tag;
  }
  return 0;
}

Worker::Item Worker::take_source(SourceBatch& batch) {
  const OperationDependencyGraph& g = batch.run->graph();
  return reinterpret_cast<Item>(&g.nodes_[g.sources_[batch.next++]]);
}

Worker::Item Worker::steal() {
  const std::size_t n = core_.worker_count();
  if (n == 1) return 0;
  const std::size_t start = rng_() % n;
  for (std::size_t level = 0; level < k_priority_levels; ++level) {
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t victim = (start + k) % n;
      if (victim == index_) continue;
      if (Item item = core_.worker(victim).steal_from(level)) {
        bump(steals);
        if (observer_ != nullptr) observer_->on_steal(StealEvent{index_, victim, Clock::now()});
        return item;
      }
    }
  }
  return 0;
}

bool Worker::has_queued_work() const noexcept {
  for (const WorkStealingDeque& q : queues_) {
    if (!q.empty()) return true;
  }
  return false;
}

bool Worker::spin_for_work(Item& item) {
  for (int round = 0; round < k_spin_rounds; ++round) {
    std::this_thread::yield();
    item = find_work();
    if (item != 0) return true;
  }
  return false;
}

bool Worker::work_visible() const noexcept {
  if (core_.any_sources() || core_.any_posted() || core_.stopping()) return true;
  for (std::size_t i = 0; i < core_.worker_count(); ++i) {
    if (core_.worker(i).has_queued_work()) return true;
  }
  return false;
}

// [core.sleep] Announce, re-check every place work can appear, then sleep. A sleep that ends
// by its time limit with still nothing to do goes straight back to sleep (no spin phase).
void Worker::suspend() {
  IdleNotifier& notifier = core_.notifier();
  bool asleep = false;
  while (true) {
    const std::uint32_t key = notifier.prepare_wait();
    if (work_visible()) {
      notifier.cancel_wait();
      break;
    }
    if (!asleep) {
      asleep = true;
      bump(sleeps);
      if (observer_ != nullptr) observer_->on_worker_sleep(index_, Clock::now());
    }
    if (notifier.commit_wait(key)) break;
  }
  if (asleep && observer_ != nullptr) observer_->on_worker_wake(index_, Clock::now());
}

void Worker::push(Node& node) {
  queues_[static_cast<std::size_t>(node.priority)].push(reinterpret_cast<Item>(&node));
  core_.notifier().notify_one();
}

void Worker::push(Job& job) {
  queues_[static_cast<std::size_t>(job.priority())].push(reinterpret_cast<Item>(&job) | k_job_tag);
  core_.notifier().notify_one();
}

void Worker::execute(Item item) {
  if ((item & k_job_tag) != 0) {
    // A job may run for long (a scheduler operation, a coroutine that never ends on its own):
    // operations counted but not yet reported must not keep their run from completing meanwhile.
    flush_completions();
    bump(executed);
    reinterpret_cast<Job*>(item & ~k_job_tag)->execute(*this);
  } else {
    run_chain(reinterpret_cast<Node*>(item));
  }
}

void Worker::run_chain(Node* node) {
  while (node != nullptr) node = process(*node);
}

// One operation: run it (or skip it, when poisoned or cancelled), count it, release its
// successors. Returns a successor to run next on this worker, if one became ready.
Node* Worker::process(Node& node) {
  RunState& run = *node.graph->active_run_.load(std::memory_order_relaxed);
  std::uint32_t poison = node.cancel_cause.load(std::memory_order_relaxed);
  if (poison == k_no_cause && run.cancelled()) poison = k_caller_cancel;
  if (poison != k_no_cause) {
    node.cancel_cause.store(k_no_cause, std::memory_order_relaxed);
    node.state.store(pack_state(run.epoch(), OpStatus::cancelled), std::memory_order_relaxed);
    run.record_not_run(node, OpStatus::cancelled, poison);
    if (observer_ != nullptr) {
      observer_->on_operation_end(make_event(run, node, OpStatus::cancelled, index_));
    }
  } else {
    poison = execute_operation(node, run);
  }
  // After the operation: helping inside it may have moved this worker to other runs.
  if (&run != completed_run_) {
    flush_completions();
    completed_run_ = &run;
  }
  ++completed_count_;
  bump(executed);
  return release_successors(node, run, poison);
}

// Returns k_no_cause on success, or the node's own index when it failed (the root cause its
// dependents are cancelled with).
std::uint32_t Worker::execute_operation(Node& node, RunState& run) {
  node.state.store(pack_state(run.epoch(), OpStatus::running), std::memory_order_relaxed);
  if (observer_ != nullptr) {
    observer_->on_operation_start(make_event(run, node, OpStatus::running, index_));
  }
  OpStatus outcome = OpStatus::completed;
  {
    const GraphOperationInfo info(node, run);
    OpContext context(*this, info);
    try {
      node.work(context);
      context.wait_spawned();
    } catch (...) {
      outcome = OpStatus::failed;
      run.record_failure(node, std::current_exception());
    }
  }
  node.state.store(pack_state(run.epoch(), outcome), std::memory_order_relaxed);
  if (observer_ != nullptr) {
    observer_->on_operation_end(make_event(run, node, outcome, index_));
  }
  return outcome == OpStatus::failed ? node.index : k_no_cause;
}

// [core.release] Decrement each successor's join counter; a successor with one predecessor
// needs no atomic RMW. The most urgent newly ready successor is returned to run next; the
// others are pushed for thieves. A counter that reaches zero is refilled for the next run.
Node* Worker::release_successors(Node& node, RunState& run, std::uint32_t poison) {
  Node* next = nullptr;
  for (std::uint32_t i = 0; i < node.successor_count; ++i) {
    Node& s = *node.successors[i];
    if (poison != k_no_cause) {
      std::uint32_t expected = k_no_cause;
      s.cancel_cause.compare_exchange_strong(expected, poison, std::memory_order_relaxed);
    }
    if (s.initial_pending != 1) {
      if (s.pending.fetch_sub(1, std::memory_order_acq_rel) != 1) continue;
      s.pending.store(s.initial_pending, std::memory_order_relaxed);
    }
    s.state.store(pack_state(run.epoch(), OpStatus::ready), std::memory_order_relaxed);
    if (observer_ != nullptr) {
      observer_->on_operation_ready(make_event(run, s, OpStatus::ready, index_));
    }
    if (next == nullptr) {
      next = &s;
    } else if (s.priority < next->priority) {
      push(*next);
      next = &s;
    } else {
      push(s);
    }
  }
  // Keep priority order: a more urgent item already queued here goes first.
  if (next != nullptr) {
    for (std::size_t level = 0; level < static_cast<std::size_t>(next->priority); ++level) {
      if (!queues_[level].empty()) {
        push(*next);
        return nullptr;
      }
    }
  }
  return next;
}

void Worker::flush_completions() {
  if (completed_count_ != 0) {
    RunState* run = completed_run_;
    const std::int64_t count = completed_count_;
    completed_count_ = 0;
    completed_run_ = nullptr;
    run->complete(count);
  }
  completed_run_ = nullptr;
}

void Worker::help_until(FunctionRef<bool()> done) {
  while (!done()) {
    if (Item item = find_work()) {
      execute(item);
    } else {
      flush_completions();
      if (done()) break;
      std::this_thread::yield();
    }
  }
}

bool Worker::help_until(FunctionRef<bool()> done, Clock::time_point deadline) {
  while (!done()) {
    if (Clock::now() >= deadline) return done();
    if (Item item = find_work()) {
      execute(item);
    } else {
      flush_completions();
      std::this_thread::yield();
    }
  }
  return true;
}

void SpawnJob::execute(Worker& /*worker*/) {
  try {
    fn_();
  } catch (...) {
    group_.fail(std::current_exception());
  }
  TaskGroup& group = group_;
  delete this;
  group.finish_one();
}

void RangeJob::execute(Worker& worker) {
  while (end_ - begin_ > grain_) {
    const std::size_t mid = begin_ + (end_ - begin_) / 2;
    group_.add(1);
    worker.push(*new RangeJob(group_, priority_, body_, mid, end_, grain_));
    end_ = mid;
  }
  try {
    body_(begin_, end_);
  } catch (...) {
    group_.fail(std::current_exception());
  }
  TaskGroup& group = group_;
  delete this;
  group.finish_one();
}

}  // namespace neat::detail
