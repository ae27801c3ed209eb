// Weighted least squares with closed-form leave-one-out residuals. [sched.profile.models]
#include "profile_models.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace neat::detail {
namespace {

using Matrix = std::vector<std::vector<double>>;

// The rows of one model: features, weight and target per point.
struct Design {
  Matrix rows;
  std::vector<double> weights;
  std::vector<double> targets;
  bool log_target = false;
};

// Inverse of a small symmetric positive matrix by Gauss-Jordan with partial pivoting; nullopt
// when a pivot is negligible against the largest diagonal entry (collinear features).
std::optional<Matrix> invert(Matrix a) {
  const std::size_t n = a.size();
  double scale = 0.0;
  for (std::size_t i = 0; i < n; ++i) scale = std::max(scale, std::abs(a[i][i]));
  Matrix inv(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i) inv[i][i] = 1.0;
  for (std::size_t col = 0; col < n; ++col) {
    std::size_t pivot = col;
    for (std::size_t r = col + 1; r < n; ++r) {
      if (std::abs(a[r][col]) > std::abs(a[pivot][col])) pivot = r;
    }
    if (!(std::abs(a[pivot][col]) > 1e-10 * scale)) return std::nullopt;
    std::swap(a[col], a[pivot]);
    std::swap(inv[col], inv[pivot]);
    const double p = a[col][col];
    for (std::size_t c = 0; c < n; ++c) {
      a[col][c] /= p;
      inv[col][c] /= p;
    }
    for (std::size_t r = 0; r < n; ++r) {
      if (r == col) continue;
      const double f = a[r][col];
      for (std::size_t c = 0; c < n; ++c) {
        a[r][c] -= f * a[col][c];
        inv[r][c] -= f * inv[col][c];
      }
    }
  }
  return inv;
}

double dot(std::span<const double> a, std::span<const double> b) {
  double sum = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += a[i] * b[i];
  return sum;
}

std::vector<double> times(const Matrix& m, std::span<const double> v) {
  std::vector<double> out(m.size());
  for (std::size_t i = 0; i < m.size(); ++i) out[i] = dot(m[i], v);
  return out;
}

// Relative error of the prediction of point i when it is left out, from its residual and
// leverage; nullopt when the point alone determines a coefficient (leverage 1).
std::optional<double> loo_relative_error(const Design& d, std::size_t i, double residual,
                                         double leverage) {
  if (!(leverage < 1.0 - 1e-9)) return std::nullopt;
  const double deleted = residual / (1.0 - leverage);
  if (d.log_target) return std::abs(std::exp(-deleted) - 1.0);
  return std::abs(deleted) / d.targets[i];
}

// Solve the weighted normal equations and score the fit by leave-one-out.
std::optional<FittedModel> solve(const Design& d, ProfileModel model) {
  const std::size_t p = d.rows.front().size();
  if (d.rows.size() < p + 1) return std::nullopt;
  Matrix normal(p, std::vector<double>(p, 0.0));
  std::vector<double> rhs(p, 0.0);
  for (std::size_t i = 0; i < d.rows.size(); ++i) {
    for (std::size_t r = 0; r < p; ++r) {
      rhs[r] += d.weights[i] * d.rows[i][r] * d.targets[i];
      for (std::size_t c = 0; c < p; ++c)
        normal[r][c] += d.weights[i] * d.rows[i][r] * d.rows[i][c];
    }
  }
  const auto inverse = invert(normal);
  if (!inverse) return std::nullopt;
  FittedModel fit{model, times(*inverse, rhs), 1.0, 0.0};
  double total = 0.0;
  std::size_t counted = 0;
  for (std::size_t i = 0; i < d.rows.size(); ++i) {
    const double residual = d.targets[i] - dot(d.rows[i], fit.coefficients);
    const double leverage = d.weights[i] * dot(d.rows[i], times(*inverse, d.rows[i]));
    if (const auto e = loo_relative_error(d, i, residual, leverage)) {
      total += *e;
      ++counted;
    }
  }
  // The leverages sum to p < points, so some point has leverage below 1 unless rounding lost it.
  const double inf = std::numeric_limits<double>::infinity();
  fit.loo_error = counted > 0 ? total / static_cast<double>(counted) : inf;
  return fit;
}

std::vector<double> features(ProfileModel model, std::span<const double> footprint,
                             double work_scale) {
  switch (model) {
    case ProfileModel::affine_work:
      return {1.0, work_of(footprint) / work_scale};
    case ProfileModel::power_work:
      return {1.0, std::log(work_of(footprint))};
    default: {
      std::vector<double> row{1.0};
      for (const double v : footprint) row.push_back(std::log(v));
      return row;
    }
  }
}

std::optional<FittedModel> fit_one(ProfileModel model, std::span<const ModelPoint> points) {
  Design d;
  d.log_target = model != ProfileModel::affine_work;
  double work_scale = 1.0;
  for (const ModelPoint& pt : points) work_scale = std::max(work_scale, work_of(pt.footprint));
  for (const ModelPoint& pt : points) {
    d.rows.push_back(features(model, pt.footprint, work_scale));
    // affine_work: weight 1/t² turns squared residuals into squared relative residuals.
    d.weights.push_back(d.log_target ? 1.0 : 1.0 / (pt.us * pt.us));
    d.targets.push_back(d.log_target ? std::log(pt.us) : pt.us);
  }
  auto fit = solve(d, model);
  if (fit) fit->work_scale = work_scale;
  return fit;
}

}  // namespace

double work_of(std::span<const double> footprint) noexcept {
  double w = 1.0;
  for (const double v : footprint) w *= v;
  return w;
}

std::optional<double> FittedModel::predict(std::span<const double> footprint) const {
  const double linear = dot(features(model, footprint, work_scale), coefficients);
  const double us = model == ProfileModel::affine_work ? linear : std::exp(linear);
  if (!std::isfinite(us) || !(us > 0.0)) return std::nullopt;
  return us;
}

std::vector<FittedModel> fit_models(std::span<const ModelPoint> points) {
  std::vector<FittedModel> fits;
  if (points.size() < k_min_regression_footprints) return fits;
  std::vector<ProfileModel> models{ProfileModel::affine_work, ProfileModel::power_work};
  if (points.front().footprint.size() >= 2) models.push_back(ProfileModel::power_dims);
  for (const ProfileModel model : models) {
    if (auto fit = fit_one(model, points)) fits.push_back(std::move(*fit));
  }
  std::stable_sort(fits.begin(), fits.end(), [](const FittedModel& a, const FittedModel& b) {
    return a.loo_error < b.loo_error;
  });
  return fits;
}

}  // namespace neat::detail
