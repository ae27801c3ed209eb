#include "neat/common/types.hpp"

#include <array>
#include <string_view>
#include <utility>

namespace neat {
namespace {

constexpr std::array<std::string_view, 4> k_priority_names{"critical", "high", "medium", "low"};
constexpr std::array<std::string_view, 3> k_access_names{"read", "write", "read_write"};
constexpr std::array<std::string_view, 3> k_device_names{"any", "cpu", "cuda"};
constexpr std::array<std::string_view, 9> k_status_names{
    "pending", "ready",    "running",   "paused",  "completed",
    "failed",  "cancelled", "timed_out", "deferred"};

template <class Enum, std::size_t N>
std::optional<Enum> parse_name(const std::array<std::string_view, N>& names,
                               std::string_view text) noexcept {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(ExecutionPriority p) noexcept {
  return k_priority_names[static_cast<std::size_t>(p)];
}
std::string_view to_string(AccessMode m) noexcept {
  return k_access_names[static_cast<std::size_t>(m)];
}
std::string_view to_string(DeviceAffinity d) noexcept {
  return k_device_names[static_cast<std::size_t>(d)];
}
std::string_view to_string(OpStatus s) noexcept {
  return k_status_names[static_cast<std::size_t>(s)];
}

std::optional<ExecutionPriority> parse_priority(std::string_view text) noexcept {
  return parse_name<ExecutionPriority>(k_priority_names, text);
}
std::optional<AccessMode> parse_access_mode(std::string_view text) noexcept {
  return parse_name<AccessMode>(k_access_names, text);
}
std::optional<DeviceAffinity> parse_device_affinity(std::string_view text) noexcept {
  return parse_name<DeviceAffinity>(k_device_names, text);
}

}  // namespace neat
