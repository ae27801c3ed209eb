// BatchSizePolicy: who decides how large the next batch should be. The DynamicBatcher asks it
// before forming a batch and tells it how each batch went; the BatchOptimizer is the adaptive
// implementation, FixedBatchSize the trivial one.
//
// Thread-safety: implementations must allow preferred_size() and record() from any thread,
// concurrently (batches complete on executor workers).
#pragma once

#include <chrono>
#include <cstddef>

namespace neat {

/// How one batch went, for feedback.
struct BatchOutcome {
  std::size_t size = 0;                  // requests in the batch (before any padding)
  std::chrono::nanoseconds latency{0};   // oldest request's arrival to the batch's completion
  std::chrono::nanoseconds run_time{0};  // the batch's execution alone
  bool failed_for_memory = false;        // std::bad_alloc or a memory refusal on the way
};

class BatchSizePolicy {
 public:
  virtual ~BatchSizePolicy() = default;
  /// The number of requests to aim for in the next batch (>= 1).
  [[nodiscard]] virtual std::size_t preferred_size() const = 0;
  /// Feedback after a batch finished.
  virtual void record(const BatchOutcome& outcome) = 0;
};

/// Always the same size; ignores feedback.
class FixedBatchSize final : public BatchSizePolicy {
 public:
  explicit FixedBatchSize(std::size_t size) noexcept : size_(size == 0 ? 1 : size) {}
  [[nodiscard]] std::size_t preferred_size() const override { return size_; }
  void record(const BatchOutcome& /*outcome*/) override {}

 private:
  std::size_t size_;
};

}  // namespace neat
