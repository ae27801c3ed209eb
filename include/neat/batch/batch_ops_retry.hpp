// run_with_memory_retry: run a batch function over a batch, and when it fails for lack of memory
// (std::bad_alloc, or neat::MemoryRefused from a MemoryBudgetManager) run the batch again in
// smaller pieces, results merged in order. [batch.retry]
//
// The rule: the batch is first tried whole. After a memory failure of a piece of `len` items
// the piece size is halved (ceil(len / 2), never below min_piece) and the walk goes on from the
// failed piece's first item with pieces of at most that size, one after another (pieces that
// run side by side would need the memory together, which is what just failed). A size that
// failed is never tried again in this call, so there are at most ceil(log2(N / min_piece))
// splits (N items; the report's split_limit). When a piece of min_piece items (or fewer) still
// fails, BatchMemoryError reports the sizes tried and the last failure; with wait_at_minimum,
// a piece of min_piece items refused while others hold the memory it needs
// (Refusal::may_fit_later) first waits for releases, up to wait_at_minimum per piece, and is
// tried again after each one (no further split). Any other exception
// from fn propagates at once, unchanged. An OperationFailed whose cause is a memory failure
// counts as one (fn may itself run operations).
//
// Reservations (options.memory): each attempt first reserves memory_bytes_per_item x its size
// of options.component's budget with try_reserve, held while fn runs, and a refusal counts as a
// memory failure. This is done inside the attempt rather than through SchedulerOptions::memory
// on purpose: the scheduler would defer a piece that does not fit until memory is released,
// whereas here a refusal is the signal to split.
//
// The scheduler form runs each attempt as one operation "<name>[begin:end]" with the options'
// priority and component, and waits for it (helping, on a worker). Bad options throw neat::Error
// before anything runs. Thread-safety: every function may be called from any thread; fn is
// called one piece at a time (from a worker in the scheduler form). Blocks until done.
//
//   auto [out, report] = neat::run_with_memory_retry(
//       scheduler, inputs, [](const neat::Tensor<float>& x) { return model(x); },
//       {.memory = &budgets, .component = "mvot_tokenizer", .memory_bytes_per_item = 1 << 20});
//   log("{} splits, sizes {}", report.splits, report.sizes_tried);
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "neat/batch/batch_ops.hpp"
#include "neat/batch/batch_traits.hpp"
#include "neat/common/error.hpp"
#include "neat/common/types.hpp"
#include "neat/detail/function_ref.hpp"
#include "neat/resources/memory_budget.hpp"
#include "neat/sched/execution_scheduler.hpp"

namespace neat {

struct MemoryRetryOptions {
  /// Pieces are never split below this many items (>= 1).
  std::size_t min_piece = 1;
  /// Reserve memory per attempt from this manager (must outlive the call); nullptr: none.
  MemoryBudgetManager* memory = nullptr;
  /// The registered component whose budget pays (required with memory).
  std::string component{};
  /// Bytes to reserve per item (> 0 with memory, 0 without).
  std::uint64_t memory_bytes_per_item = 0;
  /// With memory: how long a refused piece of min_piece items may wait for other holders'
  /// releases before the batch fails (0: fail at once). Blocks the calling thread meanwhile.
  std::chrono::milliseconds wait_at_minimum{0};
  /// Scheduler form: the operations' priority and name prefix.
  ExecutionPriority priority = ExecutionPriority::medium;
  std::string name = "batch";
};

struct MemoryRetryReport {
  std::size_t items = 0;                   // N
  std::size_t attempts = 0;                // pieces tried, successful or not
  std::size_t pieces = 0;                  // pieces that succeeded
  std::size_t splits = 0;                  // times the piece size was halved
  std::size_t waits = 0;                   // releases waited for at the minimum piece
  std::size_t split_limit = 0;             // ceil(log2(N / min_piece)): splits never exceed it
  std::vector<std::size_t> sizes_tried{};  // piece sizes in the order tried, repeats collapsed
};

template <class R>
struct MemoryRetryResult {
  R result;
  MemoryRetryReport report;
};

/// Even pieces of min_piece items ran out of memory. what() has the batch size, the sizes
/// tried, the splits and the last failure's message.
class BatchMemoryError : public Error {
 public:
  BatchMemoryError(const std::string& name, MemoryRetryReport report,
                   std::exception_ptr last_failure);
  [[nodiscard]] const MemoryRetryReport& report() const noexcept { return report_; }
  /// The std::bad_alloc or MemoryRefused of the last attempt.
  [[nodiscard]] std::exception_ptr last_failure() const noexcept { return last_failure_; }

 private:
  MemoryRetryReport report_;
  std::exception_ptr last_failure_;
};

namespace detail {
void check_retry_options(const char* where, const MemoryRetryOptions& options);
/// What options.memory grants for `items` items (nothing without it); throws MemoryRefused.
[[nodiscard]] Reservation reserve_piece(const MemoryRetryOptions& options, std::size_t items);
/// The bad_alloc or MemoryRefused that `error` is (or that its OperationFailed cause is);
/// nullptr for any other error.
[[nodiscard]] std::exception_ptr memory_failure_of(const std::exception_ptr& error) noexcept;
/// The walk of [batch.retry] over `items` items: attempt(begin, len) runs one piece and returns
/// nullptr, or the memory failure that stopped it. Throws BatchMemoryError.
MemoryRetryReport retry_in_pieces(const MemoryRetryOptions& options, std::size_t items,
                                  FunctionRef<std::exception_ptr(std::size_t, std::size_t)> attempt);

// run(piece, begin) -> R runs one piece; the results are merged in order.
template <class R, class B, class Run>
MemoryRetryResult<R> retry_and_merge(const B& batch, const MemoryRetryOptions& options,
                                     Run&& run) {
  const std::size_t n = batch_size(batch);
  std::vector<R> results;
  auto attempt = [&](std::size_t begin, std::size_t len) -> std::exception_ptr {
    try {
      if (len == n) {
        results.push_back(run(batch, begin));
      } else {
        results.push_back(run(BatchTraits<B>::slice(batch, begin, begin + len), begin));
      }
      return nullptr;
    } catch (...) {
      std::exception_ptr memory = memory_failure_of(std::current_exception());
      if (!memory) throw;
      return memory;
    }
  };
  MemoryRetryReport report = retry_in_pieces(options, n, attempt);
  if (results.size() == 1) return {std::move(results.front()), std::move(report)};
  return {BatchTraits<R>::concat(results), std::move(report)};
}

}  // namespace detail

/// Run fn over `batch` on this thread, splitting on memory failures; see [batch.retry].
template <Batchable B, class Fn, class R = detail::BatchResult<B, Fn>>
  requires std::invocable<Fn&, const B&> && Batchable<R>
[[nodiscard]] MemoryRetryResult<R> run_with_memory_retry(const B& batch, Fn&& fn,
                                                         const MemoryRetryOptions& options = {}) {
  detail::check_retry_options("run_with_memory_retry", options);
  return detail::retry_and_merge<R>(batch, options, [&](const B& piece, std::size_t /*begin*/) {
    const Reservation held = detail::reserve_piece(options, batch_size(piece));
    return R(fn(piece));
  });
}

/// The same with each attempt run as one operation on `scheduler`.
template <Batchable B, class Fn, class R = detail::BatchResult<B, Fn>>
  requires std::invocable<Fn&, const B&> && Batchable<R>
[[nodiscard]] MemoryRetryResult<R> run_with_memory_retry(ExecutionScheduler& scheduler,
                                                         const B& batch, Fn&& fn,
                                                         const MemoryRetryOptions& options) {
  detail::check_retry_options("run_with_memory_retry", options);
  return detail::retry_and_merge<R>(batch, options, [&](const B& piece, std::size_t begin) {
    const std::size_t len = batch_size(piece);
    Submission submission;
    submission.descriptor.name = detail::piece_name(options.name, begin, begin + len);
    submission.descriptor.component = options.component;
    submission.descriptor.priority = options.priority;
    OpHandle<R> op = scheduler.submit(std::move(submission), [&fn, &piece, &options, len]() {
      const Reservation held = detail::reserve_piece(options, len);
      return R(fn(piece));
    });
    return R(std::move(op.get()));
  });
}

}  // namespace neat
