// PipelineCore scheduling: completion-driven progress of items through the stages.
// [sched.pipeline]
#include "neat/detail/pipeline_core.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "neat/common/error.hpp"
#include "neat/detail/assert.hpp"

namespace neat::detail {
namespace {

constexpr std::size_t k_max_in_flight_limit = std::size_t{1} << 20;

std::size_t resolve_tokens(const ParallelExecutor& executor, const PipelineOptions& options) {
  if (options.max_in_flight > k_max_in_flight_limit) {
    throw Error(fmt::format("ExecutionPipeline::run: max_in_flight {} exceeds the limit {}",
                            options.max_in_flight, k_max_in_flight_limit));
  }
  if (options.max_in_flight != 0) return options.max_in_flight;
  return 2 * std::max<std::size_t>(1, executor.worker_count());
}

}  // namespace

PipelineCore::PipelineCore(ParallelExecutor& executor, const PipelineOptions& options,
                           std::vector<StageOptions> stages)
    : executor_(executor), name_(options.name), tokens_(resolve_tokens(executor, options)) {
  if (stages.empty()) throw Error("ExecutionPipeline::run: the pipeline has no stages");
  descriptors_.reserve(stages.size() + 1);
  for (std::size_t k = 0; k < stages.size(); ++k) {
    std::string stage_name =
        stages[k].name.empty() ? fmt::format("stage {}", k) : std::move(stages[k].name);
    descriptors_.push_back(OperationDescriptor{
        .name = std::move(stage_name), .component = name_, .priority = stages[k].priority});
    kinds_.push_back(stages[k].kind);
  }
  descriptors_.push_back(OperationDescriptor{
      .name = "source", .component = name_, .priority = options.source_priority});

  LockGuard lock(mutex_);
  free_slots_.reserve(tokens_);
  for (std::size_t s = tokens_; s-- > 0;) free_slots_.push_back(static_cast<std::uint32_t>(s));
  gates_.resize(kinds_.size());
  for (std::size_t k = 0; k < kinds_.size(); ++k) {
    if (kinds_[k] == StageKind::serial) gates_[k].waiting.assign(tokens_, k_no_slot);
  }
}

PipelineCore::~PipelineCore() = default;

void PipelineCore::start(std::stop_token stop) {
  std::vector<Invocation> next;
  {
    LockGuard lock(mutex_);
    try_start_source(next);
  }
  // Registered before the first submission, so the callback (which may run right here when
  // stop was already requested) never races with the run's own progress on `on_stop_`.
  if (stop.stop_possible()) on_stop_.emplace(std::move(stop), [this] { cancel(); });
  submit(next);
}

void PipelineCore::cancel() noexcept {
  LockGuard lock(mutex_);
  if (finished()) return;  // a finished run keeps its outcome
  if (!stopping_.load(std::memory_order_relaxed)) cancelled_ = true;
  stopping_.store(true, std::memory_order_release);
}

void PipelineCore::execute(const Invocation& inv, OpContext& ctx) {
  std::exception_ptr error;
  Outcome outcome = Outcome::skipped;
  // A stop (failure or cancel) recorded before this point keeps the item out of the stage.
  if (!stopping_.load(std::memory_order_acquire)) {
    try {
      outcome = run_user_code(inv, ctx);
    } catch (...) {
      error = std::current_exception();
      outcome = Outcome::failed;
      if (inv.stage != k_source) discard(inv.slot);
    }
  }
  std::vector<Invocation> next;
  bool now_finished = false;
  {
    LockGuard lock(mutex_);
    NEAT_ASSERT(running_ > 0, "pipeline invocation finished twice");
    --running_;
    if (outcome == Outcome::failed) record_failure(inv, std::move(error));
    advance(inv, outcome, next);
    now_finished = finished();
  }
  submit(next);
  if (now_finished) mark_done();
}

PipelineCore::Outcome PipelineCore::run_user_code(const Invocation& inv, OpContext& ctx) {
  if (inv.stage == k_source) return produce(inv.slot) ? Outcome::done : Outcome::end_of_stream;
  process(inv.stage, inv.slot, ctx);
  if (inv.stage + 1 == kinds_.size()) discard(inv.slot);  // outside the lock: user destructor
  return Outcome::done;
}

void PipelineCore::record_failure(const Invocation& inv, std::exception_ptr error) {
  failures_.fetch_add(1, std::memory_order_relaxed);
  if (!first_failure_) {
    first_failure_ = std::make_exception_ptr(
        PipelineStageFailed(stage_name(inv.stage), name_, inv.seq, std::move(error)));
  }
  stopping_.store(true, std::memory_order_release);
}

void PipelineCore::advance(const Invocation& inv, Outcome outcome, std::vector<Invocation>& next) {
  if (outcome == Outcome::skipped || outcome == Outcome::failed) return;  // item dropped
  if (inv.stage == k_source) {
    source_busy_ = false;
    if (outcome == Outcome::end_of_stream) {
      source_ended_ = true;
      free_slots_.push_back(inv.slot);
      return;
    }
    ++in_flight_;
    produced_.fetch_add(1, std::memory_order_relaxed);
    arrive(0, inv.slot, inv.seq, next);
    try_start_source(next);
    return;
  }
  if (kinds_[inv.stage] == StageKind::serial) {
    SerialGate& gate = gates_[inv.stage];
    gate.busy = false;
    ++gate.next_seq;
    try_start_serial(inv.stage, next);
  }
  arrive(inv.stage + 1, inv.slot, inv.seq, next);
}

void PipelineCore::arrive(std::uint32_t stage, std::uint32_t slot, std::uint64_t seq,
                          std::vector<Invocation>& next) {
  if (stage == kinds_.size()) {  // through the last stage: the slot is free again
    --in_flight_;
    completed_.fetch_add(1, std::memory_order_relaxed);
    free_slots_.push_back(slot);
    try_start_source(next);
    return;
  }
  if (stopping_.load(std::memory_order_relaxed)) return;
  if (kinds_[stage] == StageKind::parallel) {
    ++running_;
    next.push_back(Invocation{stage, slot, seq});
    return;
  }
  std::uint32_t& waiting = gates_[stage].waiting[seq % tokens_];
  NEAT_ASSERT(waiting == k_no_slot, "two waiting items share a serial gate position");
  waiting = slot;
  try_start_serial(stage, next);
}

void PipelineCore::try_start_source(std::vector<Invocation>& next) {
  if (stopping_.load(std::memory_order_relaxed) || source_busy_ || source_ended_ ||
      free_slots_.empty()) {
    return;
  }
  const std::uint32_t slot = free_slots_.back();
  free_slots_.pop_back();
  source_busy_ = true;
  ++running_;
  next.push_back(Invocation{k_source, slot, next_seq_++});
}

void PipelineCore::try_start_serial(std::uint32_t stage, std::vector<Invocation>& next) {
  SerialGate& gate = gates_[stage];
  if (stopping_.load(std::memory_order_relaxed) || gate.busy) return;
  std::uint32_t& waiting = gate.waiting[gate.next_seq % tokens_];
  if (waiting == k_no_slot) return;
  gate.busy = true;
  ++running_;
  next.push_back(Invocation{stage, waiting, gate.next_seq});
  waiting = k_no_slot;
}

bool PipelineCore::finished() const {
  if (running_ != 0) return false;
  const bool stopped = stopping_.load(std::memory_order_relaxed);
  // With nothing running, a live pipeline has always started something: anything else is a
  // lost item.
  NEAT_ASSERT(stopped || (source_ended_ && in_flight_ == 0), "pipeline stalled");
  return stopped || (source_ended_ && in_flight_ == 0);
}

void PipelineCore::submit(const std::vector<Invocation>& next) {
  for (const Invocation& inv : next) {
    const OperationDescriptor& descriptor =
        inv.stage == k_source ? descriptors_.back() : descriptors_[inv.stage];
    remember(executor_.submit(
        descriptor, [self = shared_from_this(), inv](OpContext& ctx) { self->execute(inv, ctx); }));
  }
}

const std::string& PipelineCore::stage_name(std::uint32_t stage) const noexcept {
  return stage == k_source ? descriptors_.back().name : descriptors_[stage].name;
}

}  // namespace neat::detail
