// PerformanceProfiler: sharded kinds, record, predict, report. [sched.profile.shards]
#include "neat/sched/performance_profiler.hpp"

#include <fmt/format.h>

#include <cmath>
#include <functional>

#include "neat/common/error.hpp"
#include "neat/resources/hardware_fingerprint.hpp"
#include "profiler_shard.hpp"

namespace neat {
namespace detail {

void check_kind_and_footprint(std::string_view kind, std::span<const double> footprint) {
  if (kind.empty()) throw Error("PerformanceProfiler: the operation kind is empty");
  for (std::size_t i = 0; i < footprint.size(); ++i) {
    if (!std::isfinite(footprint[i]) || !(footprint[i] > 0.0)) {
      throw Error(
          fmt::format("PerformanceProfiler: kind '{}': footprint value {} is {}; "
                      "footprint values must be finite and > 0",
                      kind, i, footprint[i]));
    }
  }
}

void throw_dimension_mismatch(std::string_view kind, std::size_t expected, std::size_t got) {
  throw Error(fmt::format("PerformanceProfiler: kind '{}' has footprints of {} numbers, got {}",
                          kind, expected, got));
}

}  // namespace detail

namespace {

ProfilerOptions checked(ProfilerOptions options) {
  const auto require = [](bool ok, std::string_view what) {
    if (!ok) throw Error(fmt::format("ProfilerOptions: {}", what));
  };
  require(options.history_per_footprint > 0, "history_per_footprint must be > 0");
  require(options.max_footprints_per_kind > 0, "max_footprints_per_kind must be > 0");
  require(options.error_window > 0, "error_window must be > 0");
  require(options.settle_window > 0, "settle_window must be > 0");
  require(std::isfinite(options.settle_threshold) && options.settle_threshold >= 0.0,
          "settle_threshold must be a finite number >= 0");
  if (options.hardware.empty()) options.hardware = read_hardware_fingerprint().text();
  return options;
}

}  // namespace

std::string_view to_string(ProfileModel model) noexcept {
  switch (model) {
    case ProfileModel::affine_work:
      return "affine_work";
    case ProfileModel::power_work:
      return "power_work";
    case ProfileModel::power_dims:
      return "power_dims";
    case ProfileModel::none:
      break;
  }
  return "none";
}

PerformanceProfiler::PerformanceProfiler(ProfilerOptions options)
    : options_(checked(std::move(options))),
      shards_(std::make_unique<Shard[]>(detail::k_profiler_shards)) {}

PerformanceProfiler::~PerformanceProfiler() = default;

PerformanceProfiler::Shard& PerformanceProfiler::shard_for(std::string_view kind) const {
  return shards_[std::hash<std::string_view>{}(kind) % detail::k_profiler_shards];
}

void PerformanceProfiler::check_sample(std::string_view kind,
                                       std::span<const double> footprint) const {
  detail::check_kind_and_footprint(kind, footprint);
  Shard& shard = shard_for(kind);
  detail::LockGuard lock(shard.mutex);
  const auto it = shard.kinds.find(kind);
  if (it != shard.kinds.end() && it->second.dimension() != footprint.size()) {
    detail::throw_dimension_mismatch(kind, it->second.dimension(), footprint.size());
  }
}

void PerformanceProfiler::record(std::string_view kind, std::span<const double> footprint,
                                 Microseconds duration) {
  detail::check_kind_and_footprint(kind, footprint);
  const double us = duration.count();
  if (!std::isfinite(us) || us < 0.0) {
    throw Error(
        fmt::format("PerformanceProfiler: kind '{}': duration {} us must be finite "
                    "and >= 0",
                    kind, us));
  }
  Shard& shard = shard_for(kind);
  detail::LockGuard lock(shard.mutex);
  auto it = shard.kinds.find(kind);
  if (it == shard.kinds.end()) {
    it = shard.kinds.emplace(std::string(kind), detail::KindProfile(options_, footprint.size()))
             .first;
  } else if (it->second.dimension() != footprint.size()) {
    detail::throw_dimension_mismatch(kind, it->second.dimension(), footprint.size());
  }
  it->second.record(footprint, std::max(us, k_min_sample_us));
}

std::optional<double> PerformanceProfiler::predict_us(std::string_view kind,
                                                      std::span<const double> footprint) const {
  detail::check_kind_and_footprint(kind, footprint);
  Shard& shard = shard_for(kind);
  detail::LockGuard lock(shard.mutex);
  const auto it = shard.kinds.find(kind);
  if (it == shard.kinds.end()) return std::nullopt;
  if (it->second.dimension() != footprint.size()) {
    detail::throw_dimension_mismatch(kind, it->second.dimension(), footprint.size());
  }
  return it->second.predict(footprint);
}

ProfilerReport PerformanceProfiler::report() const {
  ProfilerReport r;
  r.settle_threshold = options_.settle_threshold;
  r.settle_window = options_.settle_window;
  std::vector<double> errors;
  std::size_t total = 0;
  for (std::size_t s = 0; s < detail::k_profiler_shards; ++s) {
    Shard& shard = shards_[s];
    detail::LockGuard lock(shard.mutex);
    for (auto& [name, kind] : shard.kinds) {
      r.kinds.push_back(kind.report(name));
      total += r.kinds.back().error.count;
      const auto retained = kind.retained_errors();
      errors.insert(errors.end(), retained.begin(), retained.end());
    }
  }
  std::sort(r.kinds.begin(), r.kinds.end(),
            [](const KindReport& a, const KindReport& b) { return a.kind < b.kind; });
  r.error = detail::summarize(std::move(errors), total);
  return r;
}

ProfileScope::ProfileScope(PerformanceProfiler& profiler, std::string_view kind,
                           std::span<const double> footprint)
    : profiler_(&profiler), kind_(kind), footprint_(footprint.begin(), footprint.end()) {
  profiler.check_sample(kind_, footprint_);
  start_ = std::chrono::steady_clock::now();
}

ProfileScope::~ProfileScope() {
  if (profiler_ == nullptr) return;
  const auto elapsed = std::chrono::steady_clock::now() - start_;
  try {
    profiler_->record(kind_, footprint_, elapsed);
  } catch (...) {
    // The kind was recorded meanwhile with another dimension (or memory ran out): a destructor
    // must not throw, and the constructor already refused every input it could see.
  }
}

}  // namespace neat
