// Vocabulary of ExecutionPipeline: how a stage runs (serial in order, or parallel), its options,
// the pipeline's options, the outcome of a run, and the error that reports a failed stage.
//
// Thread-safety: plain values; PipelineStageFailed is immutable once built.
//
//   neat::StageOptions transfer{.name = "transfer", .kind = neat::StageKind::serial,
//                               .priority = neat::ExecutionPriority::high};
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include "neat/common/error.hpp"
#include "neat/common/types.hpp"

namespace neat {

/// serial: one item at a time, in the order the source produced them (oneTBB's
/// serial_in_order). parallel: any number of items at once, in any order.
enum class StageKind : std::uint8_t { serial, parallel };

[[nodiscard]] std::string_view to_string(StageKind kind) noexcept;

struct StageOptions {
  /// Names the stage's operations (traces) and its failures; empty: "stage <index>".
  std::string name{};
  StageKind kind = StageKind::parallel;
  ExecutionPriority priority = ExecutionPriority::medium;
};

struct PipelineOptions {
  /// The component of every operation of the pipeline, and part of its error messages.
  std::string name{};
  /// Items in flight at most: produced by the source and not yet through the last stage (the
  /// "tokens" of oneTBB). Every buffer between stages is therefore bounded by it too.
  /// 0: twice the executor's worker count.
  std::size_t max_in_flight = 0;
  /// Priority of the source's operations.
  ExecutionPriority source_priority = ExecutionPriority::medium;
};

/// How a run ended when it did not fail (a failure is rethrown by wait()).
enum class PipelineStatus : std::uint8_t {
  completed,  // the source reached its end and every item passed every stage
  cancelled,  // stopped by cancel() or the stop token; items in flight were dropped
};

[[nodiscard]] std::string_view to_string(PipelineStatus status) noexcept;

/// The first exception a stage (or the source) threw, rethrown by PipelineRun::wait().
/// operation() is the stage's name, component() the pipeline's, item() the item's position in
/// the stream (0-based, in source order), cause() the user's exception.
class PipelineStageFailed : public OperationFailed {
 public:
  PipelineStageFailed(std::string stage, std::string pipeline, std::uint64_t item,
                      std::exception_ptr cause);
  [[nodiscard]] std::uint64_t item() const noexcept { return item_; }
  [[nodiscard]] const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::uint64_t item_;
  std::string message_;
};

}  // namespace neat
