#include "core/executor_core.hpp"

#include "neat/common/error.hpp"
#include "neat/resources/cpu_budget.hpp"

namespace neat::detail {

ExecutorCore::ExecutorCore(ParallelExecutor& facade, const ExecutorOptions& options)
    : facade_(facade), observer_(options.observer) {
  const std::size_t count = options.workers != 0 ? options.workers : read_cpu_budget().usable;
  if (count > 4096) {
    throw Error("ParallelExecutor: " + std::to_string(count) + " workers requested; at most 4096");
  }
  workers_.reserve(count);
  for (std::size_t i = 0; i < count; ++i) workers_.push_back(std::make_unique<Worker>(*this, i));
  threads_.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    threads_.emplace_back([this, i] { workers_[i]->run(); });
  }
}

ExecutorCore::~ExecutorCore() {
  wait_for_all();
  // Posted jobs belong to layers above (the scheduler), which drain them before this runs.
  stopping_.store(true, std::memory_order_release);
  notifier_.notify_all();
  for (std::thread& t : threads_) t.join();
}

Worker* ExecutorCore::current_worker() const noexcept {
  return current_worker_of(*this);
}

std::shared_ptr<RunState> ExecutorCore::start(OperationDependencyGraph& graph,
                                              std::unique_ptr<OperationDependencyGraph> owned) {
  if (graph.active_run_.load(std::memory_order_acquire) != nullptr) {
    throw Error(
        "ParallelExecutor::run: the graph is already running; wait for its RunHandle first");
  }
  graph.compile();  // throws CycleError before anything runs
  auto run = std::make_shared<RunState>(*this, graph, std::move(owned),
                                        next_run_id_.fetch_add(1, std::memory_order_relaxed));
  run->attach(run);
  {
    std::lock_guard<std::mutex> lock(flight_mutex_);
    ++in_flight_;
  }
  if (observer_ != nullptr) {
    observer_->on_run_begin(RunEvent{run->id(), run->size(), workers_.size(), Clock::now()});
    for (std::uint32_t s : graph.sources_) {
      const Node& node = graph.nodes_[s];
      observer_->on_operation_ready(OperationEvent{
          .run_id = run->id(),
          .operation = node.index,
          .name = graph.name_view(node.index),
          .component = graph.component_view(node.index),
          .priority = node.priority,
          .status = OpStatus::ready,
          .worker = k_not_a_worker,
          .time = Clock::now(),
      });
    }
  }
  if (graph.empty()) {
    run->complete(0);
    return run;
  }
  {
    LockGuard lock(sources_mutex_);
    source_runs_.push_back(run);
    update_source_levels();
  }
  const std::size_t wake = std::min(graph.sources_.size(), workers_.size());
  notifier_.notify(static_cast<std::uint32_t>(wake));
  if (listener_count_.load(std::memory_order_acquire) > 0) tell_listeners(graph);
  return run;
}

void ExecutorCore::add_listener(UrgentWorkListener& listener) {
  std::unique_lock<std::shared_mutex> lock(listeners_mutex_);
  listeners_.push_back(&listener);
  listener_count_.store(listeners_.size(), std::memory_order_release);
}

void ExecutorCore::remove_listener(UrgentWorkListener& listener) {
  std::unique_lock<std::shared_mutex> lock(listeners_mutex_);
  std::erase(listeners_, &listener);
  listener_count_.store(listeners_.size(), std::memory_order_release);
}

// The most urgent level among the run's sources (compile() orders them by level), to each
// listener.
void ExecutorCore::tell_listeners(const OperationDependencyGraph& graph) {
  const ExecutionPriority urgent = graph.nodes_[graph.sources_.front()].priority;
  std::shared_lock<std::shared_mutex> lock(listeners_mutex_);
  for (UrgentWorkListener* listener : listeners_) listener->on_urgent_work(urgent);
}

bool ExecutorCore::claim_sources(std::size_t level, SourceBatch& batch) {
  LockGuard lock(sources_mutex_);
  for (const std::shared_ptr<RunState>& run : source_runs_) {
    if (run->claim_sources(level, workers_.size(), batch)) return true;
  }
  update_source_levels();
  return false;
}

// Drop runs whose sources are all handed out and recompute the level bits. Cursors only grow,
// so a level once empty stays empty.
void ExecutorCore::update_source_levels() {
  std::uint32_t levels = 0;
  std::size_t kept = 0;
  for (std::shared_ptr<RunState>& run : source_runs_) {
    std::uint32_t run_levels = 0;
    for (std::size_t l = 0; l < k_priority_levels; ++l) {
      if (run->has_unclaimed_sources(l)) run_levels |= 1u << l;
    }
    if (run_levels != 0) source_runs_[kept++] = std::move(run);
    levels |= run_levels;
  }
  source_runs_.resize(kept);
  source_levels_.store(levels, std::memory_order_relaxed);
}

void ExecutorCore::post(Job& job) {
  if (Worker* worker = current_worker()) {
    worker->push(job);
    return;
  }
  const auto level = static_cast<std::size_t>(job.priority());
  {
    LockGuard lock(posted_mutex_);
    posted_[level].push_back(&job);
    posted_levels_.fetch_or(1u << level, std::memory_order_relaxed);
  }
  notifier_.notify_one();
}

Job* ExecutorCore::take_posted(std::size_t level) {
  LockGuard lock(posted_mutex_);
  std::deque<Job*>& queue = posted_[level];
  if (queue.empty()) return nullptr;
  Job* job = queue.front();
  queue.pop_front();
  if (queue.empty()) posted_levels_.fetch_and(~(1u << level), std::memory_order_relaxed);
  return job;
}

void ExecutorCore::run_finished() noexcept {
  std::lock_guard<std::mutex> lock(flight_mutex_);
  if (--in_flight_ == 0) flight_cv_.notify_all();
}

void ExecutorCore::wait_for_all() {
  std::unique_lock<std::mutex> lock(flight_mutex_);
  flight_cv_.wait(lock, [this] { return in_flight_ == 0; });
}

}  // namespace neat::detail
