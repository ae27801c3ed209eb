// ExecutionPipeline: stages over a stream of items (micro-batches), so that stage k of item i
// overlaps stage k+1 of item i-1, on the ParallelExecutor's workers (no threads of its own).
//
// A source produces items one at a time, in order; each item then passes every stage in the
// order they were added. A serial stage takes one item at a time, in source order; a parallel
// stage takes any number at once. At most `max_in_flight` items exist between the source and the
// end of the last stage, which bounds every buffer between stages. Each invocation (one source
// call, one stage on one item) is one operation submitted to the executor with the stage's
// name, priority and the pipeline's name as component, so priorities apply and the workers are
// shared with everything else. Progress is completion-driven: the worker that finishes an
// invocation submits whatever it made runnable; nothing waits inside a worker.
//
// The first exception from the source or a stage stops the stream: no invocation starts after
// it is recorded, invocations already running finish, items in flight are dropped, and wait()
// rethrows PipelineStageFailed naming the stage and the item. Cancellation (cancel() or the
// stop token given to run()) stops the stream the same way and wait() returns `cancelled`.
//
// Thread-safety: building an ExecutionPipeline is single-threaded. run() copies the source and
// the stages, so a pipeline may be run many times, also concurrently, and changed or destroyed
// while its runs go on. Each callable is invoked by one worker at a time for serial stages and
// the source, concurrently for parallel stages. PipelineRun members may be called from any
// thread. The executor must outlive every run.
// Blocking: run() never blocks. PipelineRun::wait() blocks, or helps execute work when called
// from a worker of the same executor (so a pipeline can run inside an operation, even with one
// worker).
//
//   neat::ExecutionPipeline<Batch> pipeline({.name = "ingest", .max_in_flight = 4});
//   pipeline.source([&]() -> std::optional<Batch> { return loader.next(); })   // nullopt: end
//       .stage({.name = "transfer", .kind = neat::StageKind::serial,
//               .priority = neat::ExecutionPriority::high}, [](Batch& b) { b.upload(); })
//       .stage({.name = "compute"}, [](Batch& b, neat::OpContext& ctx) { b.forward(ctx); })
//       .sink([&](Batch&& b) { results.push_back(std::move(b)); });       // serial, in order
//   pipeline.run(executor).wait();   // throws PipelineStageFailed on the first failure
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <stop_token>
#include <type_traits>
#include <utility>
#include <vector>

#include "neat/common/error.hpp"
#include "neat/core/executor.hpp"
#include "neat/core/op_context.hpp"
#include "neat/core/run_handle.hpp"
#include "neat/detail/pipeline_core.hpp"
#include "neat/sched/pipeline_stage.hpp"

namespace neat {

/// One run of a pipeline. Cheap to copy; copies refer to the same run.
class [[nodiscard]] PipelineRun {
 public:
  PipelineRun() = default;
  explicit PipelineRun(std::shared_ptr<detail::PipelineCore> core) noexcept;

  [[nodiscard]] bool valid() const noexcept { return core_ != nullptr; }
  /// True once nothing of the run is running or will run. Never blocks.
  [[nodiscard]] bool done() const noexcept;
  /// Wait until done (helping on a worker); rethrow the first failure as PipelineStageFailed,
  /// else return how the run ended. Throws neat::Error on an empty handle.
  PipelineStatus wait() const;
  /// Wait at most `timeout`; never rethrows. Throws neat::Error on an empty handle.
  [[nodiscard]] WaitStatus wait_for(std::chrono::nanoseconds timeout) const;
  /// Stop the stream: start nothing new, drop the items in flight. Non-blocking; idempotent;
  /// no effect on a run that already finished.
  void cancel() const noexcept;

  /// Items the source produced / items through the last stage, so far.
  [[nodiscard]] std::uint64_t items_produced() const noexcept;
  [[nodiscard]] std::uint64_t items_completed() const noexcept;
  /// Invocations that threw (the first is rethrown by wait(), the rest are counted).
  [[nodiscard]] std::size_t failure_count() const noexcept;
  [[nodiscard]] std::exception_ptr first_failure() const;
  /// The bound on items in flight this run uses (PipelineOptions::max_in_flight, resolved).
  [[nodiscard]] std::size_t max_in_flight() const noexcept;

 private:
  void require_valid(const char* what) const;
  std::shared_ptr<detail::PipelineCore> core_;
};

namespace detail {

/// The typed side of a run: items live in `slots_`, one per token.
template <class T>
class TypedPipeline final : public PipelineCore {
 public:
  using Source = std::function<std::optional<T>()>;
  using Stage = std::function<void(T&, OpContext&)>;

  TypedPipeline(ParallelExecutor& executor, const PipelineOptions& options,
                std::vector<StageOptions> specs, Source source, std::vector<Stage> stages)
      : PipelineCore(executor, options, std::move(specs)),
        source_(std::move(source)),
        stages_(std::move(stages)),
        slots_(max_in_flight()) {}

 private:
  bool produce(std::size_t slot) override {
    std::optional<T> item = source_();
    if (!item) return false;
    slots_[slot] = std::move(item);
    return true;
  }
  void process(std::size_t stage, std::size_t slot, OpContext& ctx) override {
    stages_[stage](*slots_[slot], ctx);
  }
  void discard(std::size_t slot) noexcept override { slots_[slot].reset(); }

  Source source_;
  std::vector<Stage> stages_;
  std::vector<std::optional<T>> slots_;
};

}  // namespace detail

template <class T>
class ExecutionPipeline {
 public:
  using Source = typename detail::TypedPipeline<T>::Source;
  using Stage = typename detail::TypedPipeline<T>::Stage;

  explicit ExecutionPipeline(PipelineOptions options = {}) : options_(std::move(options)) {}

  /// The stream: `produce()` returns the next item, or std::nullopt at the end. Called by one
  /// worker at a time, never again after it returned nullopt. Replaces any previous source.
  template <class F>
  ExecutionPipeline& source(F&& produce) {
    Source fn(std::forward<F>(produce));
    if (!fn) throw Error("ExecutionPipeline::source: the callable is empty");
    source_ = std::move(fn);
    return *this;
  }

  /// The stream is [first, last), copied item by item; the range must outlive every run.
  template <std::input_iterator It>
  ExecutionPipeline& source(It first, It last) {
    return source([first, last]() mutable -> std::optional<T> {
      if (first == last) return std::nullopt;
      return std::optional<T>(std::in_place, *first++);
    });
  }

  /// Add a stage after the existing ones. `fn` is callable as fn(T&) or fn(T&, OpContext&).
  template <class F>
  ExecutionPipeline& stage(StageOptions options, F&& fn) {
    Stage stage = wrap(std::forward<F>(fn));
    if (!stage)
      throw Error("ExecutionPipeline::stage: the callable for stage '" + options.name +
                  "' is empty");
    specs_.push_back(std::move(options));
    stages_.push_back(std::move(stage));
    return *this;
  }

  /// Add the final consumer: a serial stage named "sink" that receives each item by rvalue,
  /// in source order.
  template <class F>
  ExecutionPipeline& sink(F&& consume, ExecutionPriority priority = ExecutionPriority::medium) {
    return stage(
        {.name = "sink", .kind = StageKind::serial, .priority = priority},
        [consume = std::forward<F>(consume)](T& item) mutable { consume(std::move(item)); });
  }

  [[nodiscard]] std::size_t stage_count() const noexcept { return stages_.size(); }

  /// Start a run on `executor`; a stop request on `stop` cancels it. Throws neat::Error when the
  /// pipeline has no source or no stage, or max_in_flight is out of range; nothing runs then.
  /// Non-blocking.
  [[nodiscard]] PipelineRun run(ParallelExecutor& executor, std::stop_token stop = {}) const {
    if (!source_) throw Error("ExecutionPipeline::run: the pipeline has no source");
    auto core =
        std::make_shared<detail::TypedPipeline<T>>(executor, options_, specs_, source_, stages_);
    core->start(std::move(stop));
    return PipelineRun(std::move(core));
  }

 private:
  template <class F>
  static Stage wrap(F&& fn) {
    using Fn = std::decay_t<F>;
    if constexpr (std::is_invocable_v<Fn&, T&, OpContext&>) {
      return Stage(std::forward<F>(fn));
    } else {
      static_assert(std::is_invocable_v<Fn&, T&>,
                    "a stage is callable as fn(T&) or fn(T&, OpContext&)");
      std::function<void(T&)> plain(std::forward<F>(fn));
      if (!plain) return Stage{};  // an empty std::function or a null pointer
      return [plain = std::move(plain)](T& item, OpContext&) { plain(item); };
    }
  }

  PipelineOptions options_;
  Source source_;
  std::vector<StageOptions> specs_;
  std::vector<Stage> stages_;
};

}  // namespace neat
