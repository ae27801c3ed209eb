// The pipelines of a scheduled run: each an ExecutionPipeline of item numbers whose stages run
// the stage kernels, on the same executor as the operations. [workload.scheduled]
#include <fmt/format.h>

#include "scheduled_parts.hpp"

namespace neat::detail {

StageKernel::StageKernel(KernelSpec spec) : spec_(std::move(spec)), shared_(kernels::bind(spec_)) {
  if (spec_.type == KernelType::gemm) {
    LockGuard lock(mutex_);
    free_.push_back(std::move(shared_));
    shared_ = {};
  }
}

void StageKernel::run() {
  if (spec_.type != KernelType::gemm) {
    shared_.run();
    return;
  }
  BoundKernel kernel;
  {
    LockGuard lock(mutex_);
    if (!free_.empty()) {
      kernel = std::move(free_.back());
      free_.pop_back();
    }
  }
  if (!kernel.run) kernel = kernels::bind(spec_);  // every one is in use: one more
  kernel.run();                                    // a gemm does not throw
  LockGuard lock(mutex_);
  free_.push_back(std::move(kernel));
}

ScheduledPipelineRun::ScheduledPipelineRun(const PipelineSpec& spec) : spec_(spec) {
  for (const PipelineStageSpec& stage : spec.stages) {
    kernels_.push_back(std::make_unique<StageKernel>(stage.kernel));
  }
}

ScheduledPipelineRun::~ScheduledPipelineRun() {
  if (!run_.valid()) return;
  run_.cancel();
  while (run_.wait_for(std::chrono::seconds(1)) != WaitStatus::done) {
  }
}

void ScheduledPipelineRun::start(ParallelExecutor& executor) {
  ExecutionPipeline<std::uint64_t> pipeline(
      {.name = spec_.component.empty() ? spec_.name : spec_.component,
       .max_in_flight = static_cast<std::size_t>(spec_.in_flight),
       .source_priority = spec_.priority});
  pipeline.source([next = std::uint64_t{0}, items = spec_.items]() mutable {
    return next < items ? std::optional<std::uint64_t>(next++) : std::nullopt;
  });
  for (std::size_t k = 0; k < spec_.stages.size(); ++k) {
    const PipelineStageSpec& stage = spec_.stages[k];
    const bool last = k + 1 == spec_.stages.size();
    // With a component of its own, the stage names keep the pipeline's name in traces.
    pipeline.stage(
        {.name =
             spec_.component.empty() ? stage.name : fmt::format("{}/{}", spec_.name, stage.name),
         .kind = stage.parallel ? StageKind::parallel : StageKind::serial,
         .priority = spec_.priority},
        [kernel = kernels_[k].get(), last, done = &last_item_](std::uint64_t&) {
          kernel->run();
          if (!last) return;
          // Relaxed: only the latest value matters, read after the run ended.
          const Clock::rep now = Clock::now().time_since_epoch().count();
          Clock::rep seen = done->load(std::memory_order_relaxed);
          while (seen < now && !done->compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
          }
        });
  }
  started_ = Clock::now();
  run_ = pipeline.run(executor);
}

ScheduledPipeline ScheduledPipelineRun::finish(Clock::time_point run_start) {
  ScheduledPipeline out{.name = spec_.name,
                        .component = spec_.component,
                        .status = "completed",
                        .items = spec_.items,
                        .in_flight = run_.max_in_flight(),
                        .started_us = micros_since(run_start, started_)};
  try {
    out.status = std::string(to_string(run_.wait()));
  } catch (const PipelineStageFailed& e) {
    out.status = "failed";
    out.reason = e.what();
  }
  out.items_completed = run_.items_completed();
  const Clock::time_point last{Clock::duration(last_item_.load(std::memory_order_relaxed))};
  out.finished_us = out.items_completed > 0 ? micros_since(run_start, last) : out.started_us;
  const double seconds = (out.finished_us - out.started_us) * 1e-6;
  if (seconds > 0.0) out.items_per_second = static_cast<double>(out.items_completed) / seconds;
  run_ = PipelineRun();
  return out;
}

}  // namespace neat::detail
