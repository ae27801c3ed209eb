// Memory sizes and fractions as text for error messages and reports. Internal to neat::sched.
#pragma once

#include <cstdint>
#include <string>

namespace neat::detail {

/// "1.5 GiB (1610612736 bytes)"; below 1 KiB just "512 bytes". Both forms, so that a message
/// is readable and still gives the exact number.
[[nodiscard]] std::string bytes_text(std::uint64_t bytes);

/// 0.873 -> "87.3%".
[[nodiscard]] std::string percent_text(double fraction);

}  // namespace neat::detail
