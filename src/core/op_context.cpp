#include "neat/core/op_context.hpp"

#include <algorithm>

#include "core/executor_core.hpp"
#include "core/task_group.hpp"
#include "core/worker.hpp"

namespace neat {

OpContext::OpContext(detail::Worker& worker, const detail::OperationInfo& operation) noexcept
    : worker_(&worker), operation_(operation) {}

OpContext::~OpContext() {
  if (children_ != nullptr) {
    // The body threw before waiting: children still reference it, so wait for them anyway.
    worker_->help_until([this] { return children_->idle(); });
    delete children_;
  }
}

OperationId OpContext::id() const noexcept { return operation_.id(); }
std::string OpContext::name() const { return operation_.name(); }
std::string_view OpContext::component() const { return operation_.component(); }
ExecutionPriority OpContext::priority() const noexcept { return operation_.priority(); }
std::size_t OpContext::worker_index() const noexcept {
  return worker_->index();
}
bool OpContext::stop_requested() const noexcept { return operation_.stop_requested(); }
std::stop_token OpContext::stop_token() const noexcept { return operation_.stop_token(); }
ParallelExecutor& OpContext::executor() const noexcept {
  return worker_->core().facade();
}

void OpContext::spawn_function(std::function<void()> fn) {
  if (children_ == nullptr) children_ = new detail::TaskGroup();
  children_->add(1);
  worker_->push(*new detail::SpawnJob(*children_, operation_.priority(), std::move(fn)));
}

void OpContext::wait_spawned() {
  if (children_ == nullptr) return;
  worker_->help_until([this] { return children_->idle(); });
  children_->rethrow_if_failed();
}

void OpContext::parallel_for_chunks(std::size_t begin, std::size_t end, std::size_t grain,
                                    detail::FunctionRef<void(std::size_t, std::size_t)> body) {
  if (end <= begin) return;
  const std::size_t n = end - begin;
  if (grain == 0) grain = std::max<std::size_t>(1, n / (8 * worker_->core().worker_count()));
  detail::TaskGroup group;
  group.add(1);
  (new detail::RangeJob(group, operation_.priority(), body, begin, end, grain))->execute(*worker_);
  worker_->help_until([&group] { return group.idle(); });
  group.rethrow_if_failed();
}

}  // namespace neat
