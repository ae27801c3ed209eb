// DynamicBatcher: forms batches from a stream of requests that arrive one at a time from many
// threads, runs each batch as one ExecutionScheduler operation, and gives every request its own
// future with its own result. [batch.dyn]
//
// Levels: requests are queued per priority level (the request's, or the batcher's default);
// a batch holds requests of one level only and is submitted at that level, with the
// batcher's component and name, so the scheduler's priorities apply between batches and
// everything else.
//
// Firing [batch.dyn.fire]: a level's queued requests fire, as one batch, when
//   critical   the level is critical: at once, with no slot limit (so a critical request never
//              waits behind a filling batch of a lower level);
// and otherwise, once a slot is free (fewer than max_in_flight batches submitted and not
// finished; always without a limit), when
//   flush      flush() was called after they were queued (the destructor flushes);
//   full       they reach the size to form (see Sizing);
//   late       a request's timeout passed with TimeoutPolicy::run_anyway;
//   delay      the oldest has waited max_delay;
//   free_slot  (adaptive_delay, max_in_flight > 0) a slot is free: the batcher is
//              work-conserving, and requests batch up while every slot is busy;
//   sparse     (adaptive_delay, no max_in_flight) no other arrival is expected before the
//              oldest's delay runs out: this is the first arrival, or the first after a gap
//              longer than max_delay, or the last arrival plus the mean gap between arrivals
//              (an average over the recent ones, weight 1/4) falls after the oldest's
//              deadline. So a lone request is dispatched at once, and the delay falls to zero
//              when arrivals are sparse.
// stats() counts the batches by reason.
//
// Sizing [batch.dyn.size]: the largest batch now (`cap`) is max_batch, or less under memory
// limits. The size to form is the largest preferred size up to cap, or size_policy's
// preferred_size() (asked at every decision) capped, or cap. A batch that fires before it is
// full takes the largest preferred size its requests fill, or all of them (up to cap) when they
// fill none; the rest stay queued in order, with their own delay. With a size_policy, record()
// is called after every batch (size, latency from the oldest arrival, run time, and whether it
// failed with std::bad_alloc, MemoryRefused or the scheduler's refusal of its memory).
//
// Memory [batch.dyn.memory]: each batch declares memory_bytes = memory_bytes_per_item × size,
// so with SchedulerOptions::memory it starts only once that much of the component's budget is
// reserved (it waits as `deferred` otherwise, and counts as in flight meanwhile). With
// `memory`, the batcher keeps every batch within the budget (cap <= budget / per item) and
// shrinks it under pressure: cap = max_batch / 2 at elevated, / 4 at high, 1 at critical. A
// change of cap goes to the observer's on_batch_decision with the reason.
//
// Timeouts: a request's timeout bounds its wait in the batcher's queue (not in the scheduler's).
// reject: its future gets RequestTimedOut; run_anyway: its level fires (as soon as a slot is
// free). A batch that fails — the batch function throws, returns a wrong number of responses,
// or the scheduler refuses the submission — gives the same exception to every request in it;
// the others are not affected.
//
// Threads [batch.dyn.timer]: each batcher owns one timer thread, which sleeps until the next
// delay or timeout runs out (and indefinitely while there is none) and only decides and
// submits. Batches run on the scheduler's workers; submit() dispatches on the calling thread
// when a level fires then, and a worker that finishes a batch dispatches what its slot frees.
//
// Thread-safety: submit(), flush(), stats() may be called from any thread, workers included;
// the batch function may run on several workers at once (unless max_in_flight is 1). Blocking:
// submit() never blocks on work (it takes the batcher's lock and may submit to the scheduler).
// wait_idle() and the destructor block and must not be called from a worker; neither must a
// worker wait on a request's std::future (it cannot help run other work meanwhile).
// Shutdown: the destructor flushes every queued request and waits until every batch finished;
// no request is dropped. The scheduler must outlive the batcher.
//
//   neat::DynamicBatcher<Tokens, Embedding> batcher(
//       scheduler, {.component = "blt_encoder", .max_batch = 64, .preferred_sizes = {16, 32, 64},
//                   .max_delay = std::chrono::milliseconds(2), .max_in_flight = 2},
//       [&](std::vector<Tokens>& batch) { return encoder.embed(batch); });  // one per request
//   std::future<Embedding> e = batcher.submit(tokens);                      // any thread
//   auto urgent = batcher.submit(query, {.priority = neat::ExecutionPriority::critical,
//                                        .timeout = std::chrono::milliseconds(5)});
//   use(e.get());   // the batch function's exception, or RequestTimedOut, is rethrown here
#pragma once

#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "neat/batch/dynamic_batcher_options.hpp"
#include "neat/common/error.hpp"
#include "neat/core/op_context.hpp"
#include "neat/detail/dynamic_batcher_core.hpp"

namespace neat {

class ExecutionScheduler;

namespace detail {

/// The typed side: each request with its promise; running a batch calls the user's function.
template <class Request, class Response>
class TypedBatcher final : public DynamicBatcherCore {
 public:
  using Function = std::function<std::vector<Response>(std::vector<Request>&, OpContext&)>;

  TypedBatcher(ExecutionScheduler& scheduler, DynamicBatcherOptions options, Function fn)
      : DynamicBatcherCore(scheduler, std::move(options)), fn_(std::move(fn)) {}

  std::future<Response> submit(Request request, const RequestOptions& options) {
    const ExecutionPriority level = level_of(options);
    auto item = std::make_unique<Item>(std::move(request));
    std::future<Response> future = item->promise->get_future();
    enqueue(std::move(item), level, options.timeout);
    return future;
  }

 private:
  struct Item final : BatchItem {
    explicit Item(Request r) : request(std::move(r)) {}
    Item(const Item&) = delete;
    Item& operator=(const Item&) = delete;
    ~Item() override {
      IgnoreWritesForSanitizer ignore;  // [batch.dyn.tsan]
      promise.reset();
    }
    void fail(const std::exception_ptr& error) noexcept override {
      try {
        promise->set_exception(error);
      } catch (...) {  // NOLINT(bugprone-empty-catch): it already has its outcome
      }
    }
    Request request;
    std::optional<std::promise<Response>> promise{std::in_place};
  };

  void execute(BatchItems& items, OpContext& ctx) override {
    std::vector<Request> requests;
    requests.reserve(items.size());
    for (const std::unique_ptr<BatchItem>& item : items) {
      requests.push_back(std::move(static_cast<Item&>(*item).request));
    }
    std::vector<Response> responses = fn_(requests, ctx);
    if (responses.size() != items.size()) throw_count_mismatch(responses.size(), items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      static_cast<Item&>(*items[i]).promise->set_value(std::move(responses[i]));
    }
  }

  Function fn_;
};

}  // namespace detail

template <class Request, class Response>
class DynamicBatcher {
  static_assert(std::is_move_constructible_v<Request>, "a Request must be movable");
  static_assert(std::is_move_constructible_v<Response> && !std::is_void_v<Response>,
                "a Response must be a movable value");

 public:
  /// `batch_fn` is callable as fn(std::vector<Request>&) or fn(std::vector<Request>&,
  /// OpContext&) and returns std::vector<Response>, one per request, in order. Throws
  /// neat::Error naming the batcher and the option when the options are invalid or batch_fn is
  /// empty; nothing starts then.
  template <class F>
  DynamicBatcher(ExecutionScheduler& scheduler, DynamicBatcherOptions options, F&& batch_fn)
      : core_(make_core(scheduler, std::move(options), wrap(std::forward<F>(batch_fn)))) {
    core_->start();
  }
  /// Flushes every queued request, then waits until every batch finished. Not from a worker.
  ~DynamicBatcher() { core_->stop(); }
  DynamicBatcher(const DynamicBatcher&) = delete;
  DynamicBatcher& operator=(const DynamicBatcher&) = delete;

  /// Queue a request; its future gets its response, its batch's exception, or RequestTimedOut.
  /// Throws BatcherQueueFull ("queue full (capacity N)") when queue_capacity requests are
  /// queued, and neat::Error for invalid options (a priority out of range, a negative
  /// timeout); nothing is queued then. Never blocks on work.
  [[nodiscard]] std::future<Response> submit(Request request, RequestOptions options = {}) {
    return core_->submit(std::move(request), options);
  }
  /// Dispatch every request queued now without waiting for its delay (as slots allow). Never
  /// blocks on work.
  void flush() { core_->flush(); }
  /// Block until no request is queued and no batch is in flight. Not from a worker.
  void wait_idle() { core_->wait_idle(); }
  [[nodiscard]] DynamicBatcherStats stats() const { return core_->stats(); }
  [[nodiscard]] const DynamicBatcherOptions& options() const noexcept { return core_->options(); }

 private:
  using Core = detail::TypedBatcher<Request, Response>;
  using Function = typename Core::Function;

  static std::shared_ptr<Core> make_core(ExecutionScheduler& scheduler,
                                         DynamicBatcherOptions options, Function fn) {
    if (!fn) throw Error("DynamicBatcher '" + options.name + "': the batch function is empty");
    return std::make_shared<Core>(scheduler, std::move(options), std::move(fn));
  }

  template <class F>
  static Function wrap(F&& fn) {
    using Fn = std::decay_t<F>;
    if constexpr (std::is_invocable_v<Fn&, std::vector<Request>&, OpContext&>) {
      return Function(std::forward<F>(fn));
    } else {
      static_assert(std::is_invocable_v<Fn&, std::vector<Request>&>,
                    "the batch function is callable as fn(std::vector<Request>&) or "
                    "fn(std::vector<Request>&, OpContext&)");
      std::function<std::vector<Response>(std::vector<Request>&)> plain(std::forward<F>(fn));
      if (!plain) return Function{};  // an empty std::function or a null pointer
      return [plain = std::move(plain)](std::vector<Request>& batch, OpContext&) {
        return plain(batch);
      };
    }
  }

  std::shared_ptr<Core> core_;
};

}  // namespace neat
