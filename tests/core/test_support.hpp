// Helpers shared by the core tests: worker-count parameters and bounded waits.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "neat/common/error.hpp"
#include "neat/core/run_handle.hpp"

namespace neat::test {

/// Every concurrency test runs over these worker counts.
inline const auto k_worker_counts =
    ::testing::Values(std::size_t{1}, std::size_t{2}, std::size_t{4}, std::size_t{8});

inline std::string worker_name(const ::testing::TestParamInfo<std::size_t>& info) {
  return std::to_string(info.param) + "_workers";
}

/// Wait with a bound, so a hang fails the test instead of stalling the suite.
inline void finish_within(const RunHandle& run,
                          std::chrono::seconds limit = std::chrono::seconds(60)) {
  ASSERT_EQ(run.wait_for(limit), WaitStatus::done) << "run did not finish within the limit";
}

/// The message of the neat::Error that `action` throws, or "no error".
inline std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace neat::test
