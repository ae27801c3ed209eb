// Memory pressure levels and how a usage fraction maps to them, with hysteresis so that a usage
// hovering at a threshold does not make the level flap. The MemoryBudgetManager applies these
// to max(reserved / total, real usage) after each reservation, release and sample.
//
// Hysteresis [resources.memory.levels]: every level above normal has an `enter` and a lower
// `exit` fraction. The level rises to the highest level whose enter fraction the usage reaches;
// otherwise it falls one level at a time while the usage is below the current level's exit
// fraction. With the defaults, a usage going 0.50 -> 0.72 -> 0.66 -> 0.59 gives normal ->
// elevated -> elevated -> normal.
//
// Thread-safety: pure functions and value types; safe from any thread.
//
// Usage:
//   neat::PressureThresholds thresholds;                     // the defaults below
//   neat::validate(thresholds);                               // neat::Error when inconsistent
//   auto level = neat::next_pressure_level(neat::PressureLevel::normal, 0.9, thresholds);  // high
#pragma once

#include <cstdint>
#include <string_view>

#include "neat/resources/memory_sample.hpp"

namespace neat {

enum class PressureLevel : std::uint8_t { normal = 0, elevated = 1, high = 2, critical = 3 };

[[nodiscard]] std::string_view to_string(PressureLevel level) noexcept;

/// Fractions of the total: the level is entered at `enter` and left below `exit`.
struct LevelThreshold {
  double enter = 1.0;
  double exit = 0.9;
};

struct PressureThresholds {
  LevelThreshold elevated{.enter = 0.70, .exit = 0.60};
  LevelThreshold high{.enter = 0.85, .exit = 0.75};
  LevelThreshold critical{.enter = 0.95, .exit = 0.90};
};

/// Throws neat::Error naming the level and the numbers unless 0 <= exit < enter <= 1 for every
/// level, the enter fractions strictly increase and the exit fractions do not decrease from
/// elevated to critical.
void validate(const PressureThresholds& thresholds);

/// The level after `current` for a usage fraction `usage` (see [resources.memory.levels]).
[[nodiscard]] PressureLevel next_pressure_level(PressureLevel current, double usage,
                                                const PressureThresholds& thresholds) noexcept;

/// The real usage, as a fraction, from a sample: the largest of the process's resident set over
/// `total_bytes`, the cgroup's usage over its limit, and the machine's used memory
/// (MemTotal - MemAvailable) over MemTotal. Parts the sample lacks are left out; 0 when none.
[[nodiscard]] double real_usage_fraction(const MemorySample& sample,
                                         std::uint64_t total_bytes) noexcept;

/// The default total of a MemoryBudgetManager: MemTotal less `margin_fraction` of it, capped by
/// the cgroup limit when there is one (just the cgroup limit when MemTotal is unknown); 0 when
/// the sample knows neither.
[[nodiscard]] std::uint64_t default_memory_total(const MemorySample& sample,
                                                 double margin_fraction) noexcept;

}  // namespace neat
