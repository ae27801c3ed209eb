// The history, error statistics and fitted models of one operation kind. Not synchronised:
// the PerformanceProfiler's shard mutex guards it. [sched.profile.shards]
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "neat/sched/performance_profiler.hpp"
#include "profile_models.hpp"

namespace neat::detail {

/// Orders footprints lexicographically; transparent, so a span finds a stored vector.
struct FootprintLess {
  using is_transparent = void;
  bool operator()(std::span<const double> a, std::span<const double> b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
  }
};

/// The last `capacity` values, overwriting the oldest.
class Ring {
 public:
  void add(double value, std::size_t capacity);
  [[nodiscard]] std::span<const double> values() const noexcept { return values_; }
  /// Oldest first.
  [[nodiscard]] std::vector<double> in_order() const;

 private:
  std::vector<double> values_;
  std::size_t next_ = 0;  // the slot the next value overwrites once full
};

/// Median (mean of the two middle values for an even count); `scratch` avoids an allocation.
[[nodiscard]] double median(std::span<const double> values, std::vector<double>& scratch);

/// Nearest-rank summary of `values`; `count` is set to `total`.
[[nodiscard]] PredictionErrorSummary summarize(std::vector<double> values, std::size_t total);

struct FootprintHistory {
  Ring samples;
  double median_us = 0.0;
  std::uint64_t last_recorded = 0;  // the kind's sample counter, to drop the least recent
};

/// Relative errors of one kind of prediction: the retained window and the count.
struct ErrorLog {
  Ring window;
  std::size_t count = 0;
  void add(double error, std::size_t capacity) {
    window.add(error, capacity);
    ++count;
  }
};

class KindProfile {
 public:
  KindProfile(const ProfilerOptions& options, std::size_t dimension)
      : options_(&options), dimension_(dimension) {}

  [[nodiscard]] std::size_t dimension() const noexcept { return dimension_; }
  [[nodiscard]] std::optional<double> predict(std::span<const double> footprint);
  /// Note the error of the prediction for this sample (when there is one), then add it.
  void record(std::span<const double> footprint, double us);
  /// Add a sample without a prediction (loading a file).
  void add(std::span<const double> footprint, double us);

  [[nodiscard]] KindReport report(std::string kind);
  [[nodiscard]] std::span<const double> retained_errors() const noexcept {
    return all_errors_.window.values();
  }
  /// Calls fn(footprint, samples oldest first) for each footprint, least recently recorded first.
  void for_each_footprint(
      const std::function<void(const Footprint&, const std::vector<double>&)>& fn) const;

 private:
  void note_error(double error, bool observed);
  void drop_least_recent();
  // The fitted models, refitted first when a footprint appeared or was dropped, or when as many
  // samples as there are footprints arrived since the last fit (`fresh`: whenever any did).
  // [sched.profile.refit]
  const std::vector<FittedModel>& models(bool fresh = false);

  const ProfilerOptions* options_;
  std::size_t dimension_;
  std::map<Footprint, FootprintHistory, FootprintLess> footprints_;
  std::vector<double> scratch_;
  std::uint64_t samples_ = 0;
  ErrorLog all_errors_, observed_errors_, regression_errors_;
  std::size_t settle_run_ = 0;        // consecutive errors under the threshold
  std::size_t settle_run_start_ = 0;  // samples held when that run's first prediction was made
  std::optional<std::size_t> samples_to_settle_;
  std::vector<FittedModel> models_;
  bool footprints_changed_ = true;  // since the last fit
  std::size_t samples_since_fit_ = 0;
};

}  // namespace neat::detail
