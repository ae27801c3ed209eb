// The shard of a PerformanceProfiler: one mutex and the kinds whose names hash to it.
// [sched.profile.shards]
#pragma once

#include <map>
#include <string>

#include "neat/detail/thread_annotations.hpp"
#include "neat/sched/performance_profiler.hpp"
#include "profile_kind.hpp"

namespace neat {

struct PerformanceProfiler::Shard {
  detail::Mutex mutex;
  std::map<std::string, detail::KindProfile, std::less<>> kinds NEAT_GUARDED_BY(mutex);
};

namespace detail {
inline constexpr std::size_t k_profiler_shards = 16;

/// neat::Error unless the kind is not empty and every footprint value is finite and > 0.
void check_kind_and_footprint(std::string_view kind, std::span<const double> footprint);
/// neat::Error: `what` of kind `kind` has `got` numbers but the kind has `expected`.
[[noreturn]] void throw_dimension_mismatch(std::string_view kind, std::size_t expected,
                                           std::size_t got);
}  // namespace detail

}  // namespace neat
