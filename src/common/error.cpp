#include "neat/common/error.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "neat/detail/assert.hpp"

namespace neat {
namespace {

std::string join_cycle(const std::vector<std::string>& cycle) {
  std::string text;
  for (const std::string& name : cycle) {
    if (!text.empty()) text += " -> ";
    text += name;
  }
  return text;
}

}  // namespace

CycleError::CycleError(std::vector<std::string> cycle)
    : Error("dependency cycle: " + join_cycle(cycle)), cycle_(std::move(cycle)) {}

OperationFailed::OperationFailed(std::string operation, std::string component,
                                 std::exception_ptr cause)
    : Error(component.empty() ? fmt::format("operation '{}' failed: {}", operation, describe(cause))
                              : fmt::format("operation '{}' (component '{}') failed: {}", operation,
                                            component, describe(cause))),
      operation_(std::move(operation)),
      component_(std::move(component)),
      cause_(std::move(cause)) {}

OperationCancelled::OperationCancelled(std::string operation, bool timed_out,
                                       const std::string& reason)
    : Error(fmt::format("operation '{}' {}: {}", operation, timed_out ? "timed out" : "was cancelled",
                        reason)),
      operation_(std::move(operation)),
      timed_out_(timed_out) {}

std::exception_ptr OperationFailed::cause() const noexcept {
  return cause_;
}

std::string describe(const std::exception_ptr& error) {
  if (!error) return "no error";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

namespace detail {
void assertion_failed(const char* condition, const char* message, const char* file,
                      int line) noexcept {
  std::fprintf(stderr, "neatsched: internal assertion failed at %s:%d: %s (%s)\n", file, line,
               message, condition);
  std::abort();
}
}  // namespace detail

}  // namespace neat
