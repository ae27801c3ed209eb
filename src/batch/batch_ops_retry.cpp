// run_with_memory_retry: the walk over pieces, option checks, reservations. [batch.retry]
#include "neat/batch/batch_ops_retry.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <new>

#include "neat/detail/assert.hpp"

namespace neat {
namespace {

// The number of ceil-halvings that take `items` down to at most `min_piece`.
std::size_t split_limit(std::size_t items, std::size_t min_piece) {
  std::size_t splits = 0;
  for (std::size_t size = items; size > min_piece; size -= size / 2) ++splits;
  return splits;
}

std::string memory_error_text(const std::string& name, const MemoryRetryReport& report,
                              const std::exception_ptr& last_failure) {
  const std::size_t last = report.sizes_tried.empty() ? 0 : report.sizes_tried.back();
  return fmt::format("run_with_memory_retry('{}'): a batch of {} items: a piece of {} item(s) "
                     "still ran out of memory after {} split(s), the most allowed ({}); sizes "
                     "tried: {}; pieces done: {}; waits for memory: {}; last failure: {}",
                     name, report.items, last, report.splits, report.split_limit,
                     fmt::join(report.sizes_tried, ", "), report.pieces, report.waits,
                     describe(last_failure));
}

// Counts the releases of a manager's reservations, so that a refused piece can wait for one.
// Subscribed before the first attempt: a release between a refusal and the wait is not missed.
class ReleaseSignal {
 public:
  explicit ReleaseSignal(MemoryBudgetManager* memory) : memory_(memory) {
    if (memory_ == nullptr) return;
    id_ = memory_->on_release([this](const MemoryReleased& /*event*/) {
      const std::lock_guard<std::mutex> lock(mutex_);
      ++releases_;
      released_.notify_all();
    });
  }
  ~ReleaseSignal() {
    if (memory_ != nullptr) memory_->unsubscribe(id_);
  }
  ReleaseSignal(const ReleaseSignal&) = delete;
  ReleaseSignal& operator=(const ReleaseSignal&) = delete;

  [[nodiscard]] std::uint64_t count() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return releases_;
  }
  // True once there was a release after `seen`; false at the deadline, or with no manager.
  bool wait_past(std::uint64_t seen, std::chrono::steady_clock::time_point deadline) {
    if (memory_ == nullptr) return false;
    std::unique_lock<std::mutex> lock(mutex_);
    return released_.wait_until(lock, deadline, [&] { return releases_ != seen; });
  }

 private:
  MemoryBudgetManager* memory_;
  ListenerId id_ = 0;
  std::mutex mutex_;
  std::condition_variable released_;
  std::uint64_t releases_ = 0;  // guarded by mutex_
};

// Whether `failure` is a refusal that others' releases could turn into a grant.
bool may_fit_later(const std::exception_ptr& failure) noexcept {
  try {
    std::rethrow_exception(failure);
  } catch (const MemoryRefused& refused) {
    return refused.refusal().may_fit_later();
  } catch (...) {
    return false;
  }
}

}  // namespace

BatchMemoryError::BatchMemoryError(const std::string& name, MemoryRetryReport report,
                                   std::exception_ptr last_failure)
    : Error(memory_error_text(name, report, last_failure)),
      report_(std::move(report)),
      last_failure_(std::move(last_failure)) {}

namespace detail {

void check_retry_options(const char* where, const MemoryRetryOptions& o) {
  const auto fail = [&](const std::string& problem) {
    throw Error(fmt::format("{}('{}'): {}", where, o.name, problem));
  };
  if (o.min_piece == 0) fail("min_piece is 0; pieces hold at least 1 item");
  if (o.wait_at_minimum.count() < 0) {
    fail(fmt::format("wait_at_minimum is negative ({} ms)", o.wait_at_minimum.count()));
  }
  if (o.memory == nullptr) {
    if (o.wait_at_minimum.count() > 0) {
      fail("wait_at_minimum needs a memory manager whose releases it waits for");
    }
    if (o.memory_bytes_per_item != 0) {
      fail(fmt::format("memory_bytes_per_item is {} but no memory manager is given to reserve "
                       "it from",
                       o.memory_bytes_per_item));
    }
    return;
  }
  if (o.component.empty()) fail("a memory manager is given but no component whose budget pays");
  if (o.memory_bytes_per_item == 0) {
    fail(fmt::format("a memory manager is given but memory_bytes_per_item is 0 (component '{}')",
                     o.component));
  }
  try {
    (void)o.memory->budget_bytes(o.component);
  } catch (const Error& e) {
    fail(e.what());
  }
}

Reservation reserve_piece(const MemoryRetryOptions& options, std::size_t items) {
  if (options.memory == nullptr) return {};
  const std::uint64_t per_item = options.memory_bytes_per_item;
  if (items > std::numeric_limits<std::uint64_t>::max() / per_item) {
    throw Error(fmt::format("run_with_memory_retry('{}'): {} items x {} bytes per item overflows "
                            "64 bits",
                            options.name, items, per_item));
  }
  return options.memory->reserve_or_throw(options.component,
                                          per_item * static_cast<std::uint64_t>(items));
}

std::exception_ptr memory_failure_of(const std::exception_ptr& error) noexcept {
  try {
    std::rethrow_exception(error);
  } catch (const std::bad_alloc&) {
    return error;
  } catch (const MemoryRefused&) {
    return error;
  } catch (const OperationFailed& failed) {
    const std::exception_ptr cause = failed.cause();
    return cause ? memory_failure_of(cause) : nullptr;
  } catch (...) {
    return nullptr;
  }
}

MemoryRetryReport retry_in_pieces(const MemoryRetryOptions& options, std::size_t items,
                                  FunctionRef<std::exception_ptr(std::size_t, std::size_t)> attempt) {
  const std::size_t min_piece = options.min_piece;
  MemoryRetryReport report;
  report.items = items;
  report.split_limit = split_limit(items, min_piece);
  ReleaseSignal releases(options.wait_at_minimum.count() > 0 ? options.memory : nullptr);
  using SteadyClock = std::chrono::steady_clock;
  constexpr SteadyClock::time_point k_no_deadline = SteadyClock::time_point::max();
  SteadyClock::time_point deadline = k_no_deadline;  // of this piece's waits
  std::size_t cap = items;
  std::size_t begin = 0;
  do {
    const std::size_t len = std::min(cap, items - begin);
    if (report.sizes_tried.empty() || report.sizes_tried.back() != len) {
      report.sizes_tried.push_back(len);
    }
    ++report.attempts;
    const std::uint64_t seen = releases.count();
    std::exception_ptr failure = attempt(begin, len);
    if (!failure) {
      begin += len;
      ++report.pieces;
      deadline = k_no_deadline;
      continue;
    }
    if (len <= min_piece) {
      if (deadline == k_no_deadline) deadline = SteadyClock::now() + options.wait_at_minimum;
      if (may_fit_later(failure) && releases.wait_past(seen, deadline)) {
        ++report.waits;
        continue;  // the same piece again
      }
      throw BatchMemoryError(options.name, std::move(report), std::move(failure));
    }
    cap = std::max(min_piece, len - len / 2);  // ceil(len / 2)
    ++report.splits;
    NEAT_ASSERT(report.splits <= report.split_limit, "each split at least halves the piece size");
  } while (begin < items);
  return report;
}

}  // namespace detail
}  // namespace neat
