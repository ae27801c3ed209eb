#include "core/run_state.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/executor_core.hpp"
#include "neat/common/error.hpp"

namespace neat::detail {

RunState::RunState(ExecutorCore& core, OperationDependencyGraph& graph,
                   std::unique_ptr<OperationDependencyGraph> owned_graph, std::uint64_t id)
    : core_(core),
      graph_(graph),
      owned_graph_(std::move(owned_graph)),
      id_(id),
      size_(graph.size()),
      start_(Clock::now()) {
  remaining_.store(static_cast<std::int64_t>(size_), std::memory_order_relaxed);
  for (std::size_t l = 0; l < k_priority_levels; ++l) {
    source_next_[l].store(graph.source_level_begin_[l], std::memory_order_relaxed);
  }
}

void RunState::attach(std::shared_ptr<RunState> self) {
  RunState* expected = nullptr;
  if (!graph_.active_run_.compare_exchange_strong(expected, this, std::memory_order_acq_rel)) {
    throw Error(
        "ParallelExecutor::run: the graph is already running; wait for its RunHandle first");
  }
  epoch_ = (++graph_.run_epoch_) & 0x00FFFFFFu;
  self_ = std::move(self);
}

bool RunState::has_unclaimed_sources(std::size_t level) const noexcept {
  return source_next_[level].load(std::memory_order_relaxed) <
         graph_.source_level_begin_[level + 1];
}

// [core.sources] Guided self-scheduling: take a share of what is left (at most 256), so the
// last sources are handed out one by one and workers finish together.
bool RunState::claim_sources(std::size_t level, std::size_t workers, SourceBatch& batch) noexcept {
  const std::uint32_t end = graph_.source_level_begin_[level + 1];
  std::uint32_t next = source_next_[level].load(std::memory_order_relaxed);
  while (next < end) {
    const std::uint32_t left = end - next;
    const auto share = static_cast<std::uint32_t>(left / (2 * workers));
    const std::uint32_t take = std::clamp<std::uint32_t>(share, 1, 256);
    if (source_next_[level].compare_exchange_weak(next, next + take, std::memory_order_relaxed)) {
      batch = SourceBatch{this, next, next + take, level};
      return true;
    }
  }
  return false;
}

void RunState::cancel() noexcept {
  cancelled_.store(true, std::memory_order_relaxed);
  stop_.request_stop();
}

void RunState::record_failure(const Node& node, std::exception_ptr error) {
  failures_.fetch_add(1, std::memory_order_relaxed);
  const std::string name = graph_.name(OperationId{node.index});
  LockGuard lock(mutex_);
  if (!first_failure_) {
    first_failure_ = std::make_exception_ptr(
        OperationFailed(name, std::string(graph_.component(OperationId{node.index})), error));
  }
  add_record(NotRunRecord{node.index, OpStatus::failed, k_no_cause, name, describe(error)});
}

void RunState::add_record(NotRunRecord record) {
  not_run_index_.emplace(record.op, not_run_.size());
  not_run_.push_back(std::move(record));
}

const RunState::NotRunRecord* RunState::find_record(std::uint32_t op) const {
  const auto it = not_run_index_.find(op);
  return it == not_run_index_.end() ? nullptr : &not_run_[it->second];
}

void RunState::record_not_run(const Node& node, OpStatus status, std::uint32_t cause) {
  std::string name = graph_.name(OperationId{node.index});
  std::string cause_name = cause < size_ ? graph_.name(OperationId{cause}) : std::string();
  LockGuard lock(mutex_);
  add_record(NotRunRecord{node.index, status, cause, std::move(name), std::move(cause_name)});
}

void RunState::complete(std::int64_t count) {
  if (remaining_.fetch_sub(count, std::memory_order_acq_rel) == count) finish();
}

void RunState::finish() {
  std::shared_ptr<RunState> keep_alive = std::move(self_);
  end_ns_.store(std::max<std::int64_t>(1, (Clock::now() - start_).count()),
                std::memory_order_relaxed);
  if (Observer* observer = core_.observer()) {
    observer->on_run_end(RunEvent{id_, size_, core_.worker_count(), Clock::now()});
  }
  // After this store the graph may be run again or destroyed: do not touch it below.
  graph_.active_run_.store(nullptr, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lock(done_mutex_);
    done_.store(true, std::memory_order_release);
  }
  done_cv_.notify_all();
  core_.run_finished();
}

void RunState::wait_done() {
  std::unique_lock<std::mutex> lock(done_mutex_);
  done_cv_.wait(lock, [this] { return done_.load(std::memory_order_acquire); });
}

bool RunState::wait_done_until(Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(done_mutex_);
  return done_cv_.wait_until(lock, deadline,
                             [this] { return done_.load(std::memory_order_acquire); });
}

OpStatus RunState::status(std::uint32_t op) const {
  if (op >= size_) {
    throw Error(
        fmt::format("RunHandle::status: unknown operation id {} (the run has {})", op, size_));
  }
  {
    LockGuard lock(mutex_);
    if (const NotRunRecord* r = find_record(op)) return r->status;
  }
  if (done()) return OpStatus::completed;
  const std::uint32_t state = graph_.nodes_[op].state.load(std::memory_order_relaxed);
  if ((state >> 8) != epoch_) return OpStatus::pending;
  return static_cast<OpStatus>(state & 0xFFu);
}

std::string RunState::reason(const NotRunRecord& r) const {
  if (r.status == OpStatus::failed) return "threw: " + r.error;
  if (r.cause == k_caller_cancel) return "run cancelled by caller";
  if (const NotRunRecord* root = find_record(r.cause)) {
    if (root->status == OpStatus::failed) {
      return fmt::format("dependency '{}' failed: {}", root->name, root->error);
    }
    return fmt::format("dependency '{}' was {}", root->name, to_string(root->status));
  }
  return fmt::format("dependency '{}' did not complete", r.error);
}

std::vector<NotRunOperation> RunState::not_run() const {
  LockGuard lock(mutex_);
  std::vector<NotRunOperation> result;
  result.reserve(not_run_.size());
  for (const NotRunRecord& r : not_run_) {
    result.push_back(NotRunOperation{OperationId{r.op}, r.name, r.status, reason(r)});
  }
  std::sort(result.begin(), result.end(),
            [](const NotRunOperation& a, const NotRunOperation& b) { return a.id < b.id; });
  return result;
}

std::exception_ptr RunState::first_failure() const {
  LockGuard lock(mutex_);
  return first_failure_;
}

std::chrono::nanoseconds RunState::makespan() const noexcept {
  return std::chrono::nanoseconds(end_ns_.load(std::memory_order_relaxed));
}

}  // namespace neat::detail
