// The regression models of the PerformanceProfiler: weighted least squares on a few features of
// the footprint, judged by leave-one-out relative error. [sched.profile.models]
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "neat/sched/performance_profiler.hpp"

namespace neat::detail {

/// One fitting point: a footprint and its median time.
struct ModelPoint {
  std::span<const double> footprint;
  double us = 0.0;
};

/// A fitted model: prediction = f(features(footprint) · coefficients).
struct FittedModel {
  ProfileModel model = ProfileModel::none;
  std::vector<double> coefficients;
  double work_scale = 1.0;  // affine_work divides W by it, so the normal matrix stays tame
  double loo_error = 0.0;   // mean leave-one-out relative error (points of leverage 1 skipped;
                            // infinity when none is left)

  /// The predicted time, or nullopt when it is not a finite positive number.
  [[nodiscard]] std::optional<double> predict(std::span<const double> footprint) const;
};

/// Every model that the points determine, best (lowest loo_error) first; ties keep the order
/// affine_work, power_work, power_dims. Empty when fewer than k_min_regression_footprints.
[[nodiscard]] std::vector<FittedModel> fit_models(std::span<const ModelPoint> points);

/// Product of the values (1 for an empty footprint).
[[nodiscard]] double work_of(std::span<const double> footprint) noexcept;

}  // namespace neat::detail
