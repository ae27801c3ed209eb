// Batch operations: run a batch function over a batch in pieces on the ExecutionScheduler and
// merge the results in order; pad a batch up to a preferred size (bucket) and strip the
// padding from the result. Batches are any type with BatchTraits (batch_traits.hpp, tensor.hpp).
// See also batch_ops_retry.hpp (split on out-of-memory) and batch_ops_cache.hpp (result cache).
//
// split_run [batch.split]: the batch is cut into micro-batches of `micro_batch` items (the last
// may be shorter); each is one scheduler operation named "<name>[begin:end]" with the options'
// priority, component and memory_bytes = memory_bytes_per_item x (padded) piece size, so the
// scheduler's priorities and memory admission apply to every piece. The results are joined
// with BatchTraits<R>::concat in batch order, whatever order the pieces finished in. The batch
// runs whole, as one operation, when the options say `splittable = false`, when it has at most
// micro_batch items, or when the result type R has no BatchTraits (a loss, a count: nothing to
// merge). A failing piece cancels the pieces not yet started; split_run returns only after
// every piece is terminal, then throws the first failure as the scheduler does
// (OperationFailed naming the piece). Bad options throw neat::Error before anything runs.
//
// Buckets [batch.buckets]: a strictly ascending list of preferred sizes. A batch is padded
// (BatchTraits::pad: the last item repeated) to the smallest bucket that holds it; a batch
// larger than every bucket, or empty, stays as it is. The result is truncated back to the
// original size.
//
// Thread-safety: every function may be called from any thread, also from a running operation
// (waiting helps execute work). `fn` is called from executor workers, possibly concurrently for
// different pieces: it must be safe to call concurrently. split_run blocks until done. Called
// from an operation that itself holds memory of the pieces' component, the pieces can wait
// for memory only that operation would release: declare the memory on the pieces, not on both.
//
//   neat::ExecutionScheduler scheduler(executor);
//   std::vector<float> inputs = load();                              // 1000 items
//   std::vector<float> outputs = neat::split_run(
//       scheduler, inputs, [](const std::vector<float>& piece) { return model(piece); },
//       {.micro_batch = 64, .priority = neat::ExecutionPriority::high,
//        .component = "blt_encoder", .memory_bytes_per_item = 4096, .buckets = {16, 32, 64}});
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "neat/batch/batch_traits.hpp"
#include "neat/common/types.hpp"
#include "neat/sched/execution_scheduler.hpp"

namespace neat {

struct SplitOptions {
  /// Items per piece (>= 1; may be 0 only when splittable is false).
  std::size_t micro_batch = 0;
  ExecutionPriority priority = ExecutionPriority::medium;
  /// The component whose memory budget pays for the pieces (needed with memory_bytes_per_item).
  std::string component{};
  /// Each piece declares memory_bytes = this x its (padded) size; 0: no memory declared.
  std::uint64_t memory_bytes_per_item = 0;
  /// false: the batch always runs whole, as one operation.
  bool splittable = true;
  /// Preferred piece sizes, strictly ascending, each >= 1; empty: no padding.
  std::vector<std::size_t> buckets{};
  /// Operation names are "<name>[begin:end]".
  std::string name = "batch";
};

/// A batch padded up to a bucket, and how many of its items are real.
template <class B>
struct PaddedBatch {
  B batch;
  std::size_t original_size = 0;
};

namespace detail {
void check_buckets(const char* where, const std::vector<std::size_t>& buckets);
/// The smallest bucket >= size; `size` itself when none is, or when size is 0.
[[nodiscard]] std::size_t bucket_for(std::size_t size,
                                     const std::vector<std::size_t>& buckets) noexcept;
void check_stripped(std::size_t result_size, std::size_t original_size);
void check_split_options(const SplitOptions& options, bool mergeable);
/// "<name>[begin:end]"
[[nodiscard]] std::string piece_name(const std::string& name, std::size_t begin, std::size_t end);
/// The submission of items [begin, end) padded to `padded` items.
[[nodiscard]] Submission piece_submission(const SplitOptions& options, std::size_t begin,
                                          std::size_t end, std::size_t padded);
}  // namespace detail

/// Pad `batch` to the smallest bucket that holds it (see [batch.buckets]). Throws neat::Error
/// for empty, zero or unsorted buckets.
template <Batchable B>
[[nodiscard]] PaddedBatch<B> pad_to_bucket(B batch, const std::vector<std::size_t>& buckets) {
  detail::check_buckets("pad_to_bucket", buckets);
  const std::size_t n = batch_size(batch);
  const std::size_t target = detail::bucket_for(n, buckets);
  if (target == n) return {std::move(batch), n};
  return {BatchTraits<B>::pad(batch, target), n};
}

/// The first `original_size` items of `result`; throws neat::Error when it has fewer.
template <Batchable R>
[[nodiscard]] R strip_padding(R result, std::size_t original_size) {
  const std::size_t n = batch_size(result);
  detail::check_stripped(n, original_size);
  if (n == original_size) return result;
  return BatchTraits<R>::truncate(result, original_size);
}

/// fn over `batch` padded to a bucket, its result stripped of the padding. Runs on this thread.
template <Batchable B, class Fn>
  requires std::invocable<Fn&, const B&> &&
           Batchable<std::decay_t<std::invoke_result_t<Fn&, const B&>>>
[[nodiscard]] auto run_bucketed(B batch, const std::vector<std::size_t>& buckets, Fn&& fn) {
  PaddedBatch<B> padded = pad_to_bucket(std::move(batch), buckets);
  return strip_padding(fn(std::as_const(padded.batch)), padded.original_size);
}

namespace detail {

template <class B, class Fn>
using BatchResult = std::decay_t<std::invoke_result_t<Fn&, const B&>>;

// fn over one piece, padded to a bucket when there are buckets (R is then Batchable).
template <class R, class B, class Fn>
R run_piece(Fn& fn, const B& piece, const std::vector<std::size_t>& buckets) {
  if constexpr (Batchable<R>) {
    const std::size_t n = batch_size(piece);
    const std::size_t target = bucket_for(n, buckets);
    if (target != n) return strip_padding<R>(fn(BatchTraits<B>::pad(piece, target)), n);
  }
  return fn(piece);
}

// Cancel what has not started, then wait until every handle is terminal.
template <class Handles>
void drain(const Handles& handles) noexcept {
  for (const OpRef& h : handles) h.cancel();
  for (const OpRef& h : handles) {
    try {
      h.wait();
    } catch (...) {  // NOLINT(bugprone-empty-catch): the first failure is rethrown by the caller
    }
  }
}

template <class R, class B, class Fn>
R run_whole(ExecutionScheduler& scheduler, const B& batch, Fn& fn, const SplitOptions& options) {
  const std::size_t n = batch_size(batch);
  OpHandle<R> handle =
      scheduler.submit(piece_submission(options, 0, n, bucket_for(n, options.buckets)),
                       [&fn, &batch, &options]() -> R {
                         return run_piece<R>(fn, batch, options.buckets);
                       });
  if constexpr (std::is_void_v<R>) {
    handle.get();
  } else {
    return std::move(handle.get());
  }
}

template <class R, class B, class Fn>
R run_split(ExecutionScheduler& scheduler, const B& batch, Fn& fn, const SplitOptions& options) {
  const std::size_t n = batch_size(batch);
  const std::size_t step = options.micro_batch;
  std::vector<OpHandle<R>> handles;
  handles.reserve((n + step - 1) / step);
  try {
    for (std::size_t begin = 0; begin < n; begin += step) {
      const std::size_t end = std::min(n, begin + step);
      const std::size_t padded = bucket_for(end - begin, options.buckets);
      handles.push_back(
          scheduler.submit(piece_submission(options, begin, end, padded),
                           [&fn, &options, piece = BatchTraits<B>::slice(batch, begin, end)]() {
                             return run_piece<R>(fn, piece, options.buckets);
                           }));
    }
    std::vector<R> results;
    results.reserve(handles.size());
    for (const OpHandle<R>& h : handles) results.push_back(std::move(h.get()));
    return BatchTraits<R>::concat(results);
  } catch (...) {
    drain(handles);
    throw;
  }
}

}  // namespace detail

/// Run `fn` over `batch` in micro-batches on `scheduler`, results merged in order; see
/// [batch.split]. Blocks until every piece is terminal.
template <Batchable B, class Fn>
  requires std::invocable<Fn&, const B&>
detail::BatchResult<B, Fn> split_run(ExecutionScheduler& scheduler, const B& batch, Fn&& fn,
                                     const SplitOptions& options) {
  using R = detail::BatchResult<B, Fn>;
  detail::check_split_options(options, Batchable<R>);
  if constexpr (Batchable<R>) {
    if (options.splittable && batch_size(batch) > options.micro_batch) {
      return detail::run_split<R>(scheduler, batch, fn, options);
    }
  }
  return detail::run_whole<R>(scheduler, batch, fn, options);
}

}  // namespace neat
