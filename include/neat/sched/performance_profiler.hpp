// PerformanceProfiler: measured run times per (operation kind, size footprint), and predictions
// of the time of a footprint from them. A kind is a string ("gemm", "blt_encode"); a footprint
// is a short vector of positive numbers that describes the size of one run ({m, n, k} for a
// matrix product, {bytes} for a copy). Every kind keeps the dimension of its first footprint.
//
// Prediction [sched.profile.predict]:
//   - a footprint seen before: the median of its retained samples (robust to the odd slow run);
//   - an unseen footprint: a regression fitted to the (footprint, median) points of the kind,
//     once the kind has at least `k_min_regression_footprints` (3) distinct footprints. Three
//     candidate models are fitted and the one with the lowest leave-one-out mean relative error
//     is used (closed-form LOO residuals, src/sched/profile_models.hpp):
//       affine_work  t = a + b·W, W = product of the footprint, weighted by 1/t² so that it
//                    minimises relative, not absolute, residuals;
//       power_work   log t = c + e·log W (a power law in the total work);
//       power_dims   log t = c + Σ e_j·log f_j (one exponent per dimension; needs d + 2
//                    footprints, d >= 2).
//   - nullopt: the kind is unknown, or the footprint is unseen and no model could be fitted.
//
// Error statistics [sched.profile.error]: every record() first asks for the prediction of its
// footprint from the data held before it; when there is one, the relative error
// |predicted − measured| / measured is kept (the last `error_window` per kind for percentiles,
// every one counted). A kind has "settled" at the first run of `settle_window` consecutive
// errors <= `settle_threshold`; `samples_to_settle` is the number of samples the kind held when
// the first prediction of that run was made.
//
// History is bounded: the last `history_per_footprint` samples per footprint, and at most
// `max_footprints_per_kind` footprints per kind (the least recently recorded one is dropped).
//
// Thread-safety [sched.profile.shards]: every member function may be called concurrently from
// any thread, workers included. Kinds are spread over 16 shards by the hash of their name;
// each shard has one mutex guarding its kinds. record() takes one shard lock for a few hundred
// nanoseconds (a map look-up, two medians of <= history_per_footprint values, ring-buffer
// writes; no allocation once the footprint is known) and never blocks otherwise. predict_us()
// takes the same lock; a prediction for an unseen footprint first refits the kind's models when
// a footprint appeared or was dropped, or when as many samples as there are footprints arrived
// since the last fit (O(footprints) work, so amortised O(1) per record; between refits the
// model may lag the newest samples of known footprints). report() always refits. save(),
// load() and report() lock one shard at a time.
//
// Feeding it: the scheduler will wrap each operation that has a kind in a ProfileScope (or call
// record() with the duration from its Observer's start/end events) and set the descriptor's
// cost_hint_us from predict_us() before computing critical-path priorities.
//
// Usage:
//   neat::PerformanceProfiler profiler;                    // keyed by this machine
//   (void)profiler.load("profile.json");                   // earlier runs, when present
//   {
//     neat::ProfileScope scope(profiler, "gemm", neat::make_footprint(m, n, k));
//     gemm(m, n, k);
//   }                                                      // records the elapsed time
//   std::optional<double> us = profiler.predict_us("gemm", neat::make_footprint(2 * m, n, k));
//   profiler.save("profile.json");
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace neat {

using Footprint = std::vector<double>;
using Microseconds = std::chrono::duration<double, std::micro>;

/// A footprint from integers or floats without narrowing complaints and without allocating:
/// `profiler.record("gemm", neat::make_footprint(m, n, k), elapsed)`.
template <class... T>
[[nodiscard]] constexpr std::array<double, sizeof...(T)> make_footprint(T... values) noexcept {
  return {static_cast<double>(values)...};
}

/// Fewest distinct footprints of a kind before an unseen footprint gets a prediction: two
/// parameters plus one point, so that leave-one-out can judge the fit.
inline constexpr std::size_t k_min_regression_footprints = 3;
/// Measured times are floored to this (1 ns), so that relative errors and logs are defined.
inline constexpr double k_min_sample_us = 1e-3;

struct ProfilerOptions {
  /// The hardware key of save() and load(); empty means read_hardware_fingerprint().text().
  std::string hardware{};
  std::size_t history_per_footprint = 32;
  std::size_t max_footprints_per_kind = 64;
  std::size_t error_window = 1024;
  double settle_threshold = 0.10;
  std::size_t settle_window = 5;
};

/// Relative prediction errors. Percentiles are nearest-rank over the retained window; `count`
/// counts every error ever recorded. All zero when count == 0.
struct PredictionErrorSummary {
  std::size_t count = 0;
  double p50 = 0.0;
  double p95 = 0.0;
  double max = 0.0;
};

enum class ProfileModel { none, affine_work, power_work, power_dims };
[[nodiscard]] std::string_view to_string(ProfileModel model) noexcept;

struct KindReport {
  std::string kind;
  std::size_t samples = 0;                  // recorded or loaded, including ones since dropped
  std::size_t footprints = 0;               // distinct footprints held now
  PredictionErrorSummary error;             // every prediction
  PredictionErrorSummary observed_error;    // footprint seen before: the median
  PredictionErrorSummary regression_error;  // unseen footprint: the model
  std::optional<std::size_t> samples_to_settle;
  ProfileModel model = ProfileModel::none;  // the model an unseen footprint would use now
  double model_loo_error = 0.0;             // its leave-one-out mean relative error
};

struct ProfilerReport {
  std::vector<KindReport> kinds;  // sorted by kind
  PredictionErrorSummary error;   // every kind's retained errors together
  double settle_threshold = 0.0;
  std::size_t settle_window = 0;
};

/// A table of the report, one row per kind and a total row.
[[nodiscard]] std::string format_profiler_report(const ProfilerReport& report);

struct LoadStatus {
  enum class Outcome { loaded, no_file, hardware_mismatch };
  Outcome outcome = Outcome::loaded;
  std::size_t samples = 0;  // samples added (0 unless loaded)
  std::string message;      // why, naming the file (and both fingerprints on a mismatch)
};

class PerformanceProfiler {
 public:
  /// Throws neat::Error when a bound is zero or the threshold is not a finite number >= 0.
  explicit PerformanceProfiler(ProfilerOptions options = {});
  ~PerformanceProfiler();
  PerformanceProfiler(const PerformanceProfiler&) = delete;
  PerformanceProfiler& operator=(const PerformanceProfiler&) = delete;

  /// Record one measured run. Throws neat::Error (and records nothing) when the kind is empty,
  /// a footprint value is not finite and > 0, the footprint's dimension differs from the kind's,
  /// or the duration is negative or not finite. Durations below 1 ns count as 1 ns.
  void record(std::string_view kind, std::span<const double> footprint, Microseconds duration);
  void record(std::string_view kind, std::initializer_list<double> footprint,
              Microseconds duration) {
    record(kind, std::span<const double>(footprint.begin(), footprint.size()), duration);
  }

  /// Predicted run time in microseconds (see the header comment), or nullopt. Throws
  /// neat::Error for a footprint that record() would refuse.
  [[nodiscard]] std::optional<double> predict_us(std::string_view kind,
                                                 std::span<const double> footprint) const;
  [[nodiscard]] std::optional<double> predict_us(std::string_view kind,
                                                 std::initializer_list<double> footprint) const {
    return predict_us(kind, std::span<const double>(footprint.begin(), footprint.size()));
  }

  [[nodiscard]] ProfilerReport report() const;
  [[nodiscard]] const std::string& hardware() const noexcept { return options_.hardware; }

  /// Write every kind's retained samples to `path` (JSON, written to path + ".tmp" and renamed).
  /// Throws neat::Error naming the file when it cannot be written.
  void save(const std::string& path) const;
  /// Add the samples of a file written by save(), as if recorded (no prediction errors).
  /// A missing file or another machine's fingerprint changes nothing and says so in the status.
  /// A malformed file throws neat::Error naming the file and the JSON path, and changes nothing.
  LoadStatus load(const std::string& path);

 private:
  friend class ProfileScope;
  struct Shard;
  Shard& shard_for(std::string_view kind) const;
  // Throws what record() throws for a bad kind, footprint or (when given) duration.
  void check_sample(std::string_view kind, std::span<const double> footprint) const;

  ProfilerOptions options_;
  std::unique_ptr<Shard[]> shards_;
};

/// Records the time from its construction to its destruction into a profiler. The constructor
/// checks the kind and footprint (and throws like record()); the destructor never throws.
/// Not thread-safe itself: one scope belongs to one thread (the profiler is shared).
///
///   { neat::ProfileScope scope(profiler, "copy", {bytes}); copy(bytes); }
class ProfileScope {
 public:
  ProfileScope(PerformanceProfiler& profiler, std::string_view kind,
               std::span<const double> footprint);
  ProfileScope(PerformanceProfiler& profiler, std::string_view kind,
               std::initializer_list<double> footprint)
      : ProfileScope(profiler, kind, std::span<const double>(footprint.begin(), footprint.size())) {
  }
  ~ProfileScope();
  ProfileScope(const ProfileScope&) = delete;
  ProfileScope& operator=(const ProfileScope&) = delete;

  /// Do not record (the operation failed or was cancelled, so its time means nothing).
  void dismiss() noexcept { profiler_ = nullptr; }

 private:
  PerformanceProfiler* profiler_;
  std::string kind_;
  Footprint footprint_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace neat
