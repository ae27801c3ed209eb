// Text shared by the BatchOptimizer's sources: durations and rates in decision reasons.
#pragma once

#include <chrono>
#include <string>

namespace neat::detail {

/// "850 ns", "12.1 us", "3.2 ms", "1.5 s" (three significant digits).
[[nodiscard]] std::string describe_duration(std::chrono::nanoseconds duration);

/// "797593 items/s", "12.5 items/s", "0.25 items/s".
[[nodiscard]] std::string describe_rate(double items_per_second);

}  // namespace neat::detail
