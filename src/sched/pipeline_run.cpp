// PipelineRun (the caller's handle), PipelineStageFailed and the pipeline vocabulary's names.
#include <fmt/format.h>

#include "neat/sched/execution_pipeline.hpp"
#include "neat/sched/pipeline_stage.hpp"

namespace neat {

std::string_view to_string(StageKind kind) noexcept {
  return kind == StageKind::serial ? "serial" : "parallel";
}

std::string_view to_string(PipelineStatus status) noexcept {
  return status == PipelineStatus::completed ? "completed" : "cancelled";
}

PipelineStageFailed::PipelineStageFailed(std::string stage, std::string pipeline,
                                         std::uint64_t item, std::exception_ptr cause)
    : OperationFailed(std::move(stage), std::move(pipeline), cause),
      item_(item),
      message_(component().empty() ? fmt::format("pipeline stage '{}' failed on item {}: {}",
                                                 operation(), item, describe(cause))
                                   : fmt::format("pipeline '{}': stage '{}' failed on item {}: {}",
                                                 component(), operation(), item, describe(cause))) {
}

PipelineRun::PipelineRun(std::shared_ptr<detail::PipelineCore> core) noexcept
    : core_(std::move(core)) {}

void PipelineRun::require_valid(const char* what) const {
  if (!core_) throw Error(std::string("PipelineRun::") + what + ": empty handle (no run)");
}

bool PipelineRun::done() const noexcept {
  return core_ != nullptr && core_->done();
}

PipelineStatus PipelineRun::wait() const {
  require_valid("wait");
  return core_->wait();
}

WaitStatus PipelineRun::wait_for(std::chrono::nanoseconds timeout) const {
  require_valid("wait_for");
  return core_->wait_for(timeout) ? WaitStatus::done : WaitStatus::timeout;
}

void PipelineRun::cancel() const noexcept {
  if (core_) core_->cancel();
}

std::uint64_t PipelineRun::items_produced() const noexcept {
  return core_ ? core_->items_produced() : 0;
}

std::uint64_t PipelineRun::items_completed() const noexcept {
  return core_ ? core_->items_completed() : 0;
}

std::size_t PipelineRun::failure_count() const noexcept {
  return core_ ? core_->failure_count() : 0;
}

std::exception_ptr PipelineRun::first_failure() const {
  return core_ ? core_->first_failure() : nullptr;
}

std::size_t PipelineRun::max_in_flight() const noexcept {
  return core_ ? core_->max_in_flight() : 0;
}

}  // namespace neat
