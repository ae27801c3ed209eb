#include "neat/resources/memory_pressure.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "neat/common/error.hpp"

namespace neat {
namespace {

struct NamedThreshold {
  PressureLevel level;
  const LevelThreshold* threshold;
};

std::array<NamedThreshold, 3> levels_of(const PressureThresholds& t) {
  return {{{PressureLevel::elevated, &t.elevated},
           {PressureLevel::high, &t.high},
           {PressureLevel::critical, &t.critical}}};
}

const LevelThreshold& threshold_of(PressureLevel level, const PressureThresholds& t) {
  if (level == PressureLevel::elevated) return t.elevated;
  return level == PressureLevel::high ? t.high : t.critical;
}

[[noreturn]] void refuse(PressureLevel level, const LevelThreshold& t, std::string_view problem) {
  throw Error(fmt::format("memory pressure thresholds: {} (enter {}, exit {}): {}",
                          to_string(level), t.enter, t.exit, problem));
}

}  // namespace

std::string_view to_string(PressureLevel level) noexcept {
  constexpr std::array<std::string_view, 4> k_names = {"normal", "elevated", "high", "critical"};
  const auto index = static_cast<std::size_t>(level);
  return index < k_names.size() ? k_names[index] : "unknown";
}

void validate(const PressureThresholds& thresholds) {
  const LevelThreshold* below = nullptr;
  for (const auto& [level, t] : levels_of(thresholds)) {
    if (!(t->exit >= 0 && t->exit < t->enter && t->enter <= 1)) {
      refuse(level, *t, "needs 0 <= exit < enter <= 1");
    }
    if (below && t->enter <= below->enter) {
      refuse(level, *t,
             fmt::format("enter must be above the lower level's enter {}", below->enter));
    }
    if (below && t->exit < below->exit) {
      refuse(level, *t,
             fmt::format("exit must not be below the lower level's exit {}", below->exit));
    }
    below = t;
  }
}

PressureLevel next_pressure_level(PressureLevel current, double usage,
                                  const PressureThresholds& thresholds) noexcept {
  PressureLevel reached = PressureLevel::normal;
  for (const auto& [level, t] : levels_of(thresholds)) {
    if (usage >= t->enter) reached = level;
  }
  if (reached > current) return reached;
  while (current != PressureLevel::normal && usage < threshold_of(current, thresholds).exit) {
    current = static_cast<PressureLevel>(static_cast<int>(current) - 1);
  }
  return current;
}

double real_usage_fraction(const MemorySample& sample, std::uint64_t total_bytes) noexcept {
  double usage = 0;
  if (total_bytes > 0) {
    usage = static_cast<double>(sample.process_rss_bytes) / static_cast<double>(total_bytes);
  }
  if (sample.cgroup_limit_bytes && sample.cgroup_current_bytes && *sample.cgroup_limit_bytes > 0) {
    usage = std::max(usage, static_cast<double>(*sample.cgroup_current_bytes) /
                                static_cast<double>(*sample.cgroup_limit_bytes));
  }
  if (sample.total_bytes > 0 && sample.available_bytes <= sample.total_bytes) {
    usage = std::max(usage, static_cast<double>(sample.total_bytes - sample.available_bytes) /
                                static_cast<double>(sample.total_bytes));
  }
  return usage;
}

std::uint64_t default_memory_total(const MemorySample& sample, double margin_fraction) noexcept {
  std::uint64_t total = 0;
  if (sample.total_bytes > 0) {
    const double kept = std::clamp(1.0 - margin_fraction, 0.0, 1.0);
    total = static_cast<std::uint64_t>(std::floor(static_cast<double>(sample.total_bytes) * kept));
  }
  if (sample.cgroup_limit_bytes && (total == 0 || *sample.cgroup_limit_bytes < total)) {
    total = *sample.cgroup_limit_bytes;
  }
  return total;
}

}  // namespace neat
