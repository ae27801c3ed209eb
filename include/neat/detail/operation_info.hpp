// OperationInfo: what an OpContext asks about the operation it belongs to. Graph operations and
// scheduler operations answer it differently; the OpContext does not care which. Internal.
#pragma once

#include <stop_token>
#include <string>
#include <string_view>

#include "neat/common/types.hpp"
#include "neat/core/operation_descriptor.hpp"

namespace neat::detail {

class OperationInfo {
 public:
  [[nodiscard]] virtual OperationId id() const noexcept = 0;
  [[nodiscard]] virtual std::string name() const = 0;
  [[nodiscard]] virtual std::string_view component() const = 0;
  [[nodiscard]] virtual ExecutionPriority priority() const noexcept = 0;
  [[nodiscard]] virtual bool stop_requested() const noexcept = 0;
  [[nodiscard]] virtual std::stop_token stop_token() const noexcept = 0;
  /// True when the operation should give its worker up at its next checkpoint.
  [[nodiscard]] virtual bool should_yield() const noexcept { return false; }

 protected:
  OperationInfo() = default;
  OperationInfo(const OperationInfo&) = default;
  OperationInfo& operator=(const OperationInfo&) = default;
  ~OperationInfo() = default;
};

}  // namespace neat::detail
