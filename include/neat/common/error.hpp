// Errors that neatsched raises for bad input and API misuse. Every one derives from neat::Error
// and names the place (file, JSON path, operation) and the problem.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

namespace neat {

/// Base of every error neatsched throws for bad input, bad configuration or API misuse.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A dependency cycle. `cycle()` lists the operation names along it, first repeated at the end
/// ("a -> b -> c -> a").
class CycleError : public Error {
 public:
  explicit CycleError(std::vector<std::string> cycle);
  [[nodiscard]] const std::vector<std::string>& cycle() const noexcept { return cycle_; }

 private:
  std::vector<std::string> cycle_;
};

/// The first failure of a run, rethrown at the waiter. what() names the operation, its
/// component and the original message; cause() holds the user's original exception.
class OperationFailed : public Error {
 public:
  OperationFailed(std::string operation, std::string component, std::exception_ptr cause);
  [[nodiscard]] const std::string& operation() const noexcept { return operation_; }
  [[nodiscard]] const std::string& component() const noexcept { return component_; }
  [[nodiscard]] std::exception_ptr cause() const noexcept;
  /// Rethrow the user's original exception.
  [[noreturn]] void rethrow_cause() const { std::rethrow_exception(cause_); }

 private:
  std::string operation_;
  std::string component_;
  std::exception_ptr cause_;
};

/// Waiting on an operation that was cancelled or timed out: what() names it and says why.
class OperationCancelled : public Error {
 public:
  OperationCancelled(std::string operation, bool timed_out, const std::string& reason);
  [[nodiscard]] const std::string& operation() const noexcept { return operation_; }
  [[nodiscard]] bool timed_out() const noexcept { return timed_out_; }

 private:
  std::string operation_;
  bool timed_out_;
};

/// Text of an exception_ptr's exception (its what(), or a note that it is not a std::exception).
[[nodiscard]] std::string describe(const std::exception_ptr& error);

}  // namespace neat
