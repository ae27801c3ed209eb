// Vocabulary types shared by every neatsched layer: priorities, access modes, devices and
// operation statuses, with their text names (used by workload files, traces and the CLI).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace neat {

/// How urgent an operation is. Lower numeric value = more urgent; ready queues are indexed by it.
enum class ExecutionPriority : std::uint8_t { critical = 0, high = 1, medium = 2, low = 3 };
inline constexpr std::size_t k_priority_levels = 4;

/// How an operation touches a DataHandle; the graph infers RAW, WAR and WAW edges from it.
enum class AccessMode : std::uint8_t { read, write, read_write };

/// Where an operation prefers to run.
enum class DeviceAffinity : std::uint8_t { any, cpu, cuda };

/// Life of one operation in one run: pending -> ready -> running (-> paused -> running)*,
/// then exactly one terminal state.
enum class OpStatus : std::uint8_t {
  pending,
  ready,
  running,
  paused,
  completed,
  failed,
  cancelled,
  timed_out,
  deferred,  // waiting for memory: its reservation does not fit, or its component is inactive
};

[[nodiscard]] constexpr bool is_terminal(OpStatus s) noexcept {
  return s == OpStatus::completed || s == OpStatus::failed || s == OpStatus::cancelled ||
         s == OpStatus::timed_out;
}

[[nodiscard]] std::string_view to_string(ExecutionPriority p) noexcept;
[[nodiscard]] std::string_view to_string(AccessMode m) noexcept;
[[nodiscard]] std::string_view to_string(DeviceAffinity d) noexcept;
[[nodiscard]] std::string_view to_string(OpStatus s) noexcept;

/// Parse the text names above ("critical", "read_write", "cuda", ...); nullopt if unknown.
[[nodiscard]] std::optional<ExecutionPriority> parse_priority(std::string_view text) noexcept;
[[nodiscard]] std::optional<AccessMode> parse_access_mode(std::string_view text) noexcept;
[[nodiscard]] std::optional<DeviceAffinity> parse_device_affinity(std::string_view text) noexcept;

}  // namespace neat
