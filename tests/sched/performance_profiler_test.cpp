#include "neat/sched/performance_profiler.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>

#include "neat/common/error.hpp"
#include "sched/profiler_test_support.hpp"

namespace neat {
namespace {

using test::Noise;
using test::profiler_options;
using test::relative_error;

std::size_t samples_of(const PerformanceProfiler& p) {
  std::size_t n = 0;
  for (const KindReport& k : p.report().kinds) n += k.samples;
  return n;
}

TEST(PerformanceProfiler, SeenFootprintPredictsTheMedian) {
  PerformanceProfiler p(profiler_options());
  EXPECT_FALSE(p.predict_us("copy", {64}).has_value());  // unknown kind
  p.record("copy", {64}, Microseconds(10));
  EXPECT_DOUBLE_EQ(*p.predict_us("copy", {64}), 10.0);
  p.record("copy", {64}, Microseconds(30));
  EXPECT_DOUBLE_EQ(*p.predict_us("copy", {64}), 20.0);  // even count: mean of the middle two
  p.record("copy", {64}, Microseconds(1000));
  EXPECT_DOUBLE_EQ(*p.predict_us("copy", {64}), 30.0);  // the outlier does not move it far
}

TEST(PerformanceProfiler, UnseenFootprintNeedsThreeDistinctFootprints) {
  PerformanceProfiler p(profiler_options());
  p.record("copy", {1000}, Microseconds(10));
  p.record("copy", {2000}, Microseconds(20));
  EXPECT_FALSE(p.predict_us("copy", {4000}).has_value());
  p.record("copy", {3000}, Microseconds(30));
  ASSERT_TRUE(p.predict_us("copy", {4000}).has_value());
  EXPECT_NEAR(*p.predict_us("copy", {4000}), 40.0, 1e-6);
}

TEST(PerformanceProfiler, EqualWorkEverywhereGivesNoModel) {
  PerformanceProfiler p(profiler_options());
  p.record("t", {2, 8}, Microseconds(10));
  p.record("t", {4, 4}, Microseconds(11));
  p.record("t", {8, 2}, Microseconds(12));
  // W is 16 for all three, and three points cannot fit three power_dims coefficients plus one.
  EXPECT_FALSE(p.predict_us("t", {16, 16}).has_value());
  EXPECT_EQ(p.report().kinds.at(0).model, ProfileModel::none);
}

TEST(PerformanceProfiler, LinearTimingsWithNoisePredictUnseenSizes) {
  PerformanceProfiler p(profiler_options());
  Noise noise(0.03);
  for (int i = 0; i < 40; ++i) {
    const Footprint f{noise.size(16, 256), noise.size(16, 256), noise.size(16, 256)};
    for (int r = 0; r < 3; ++r) p.record("gemm", f, Microseconds(test::gemm_us(f) * noise()));
  }
  for (const Footprint& f : {Footprint{300, 300, 300}, Footprint{20, 500, 40},
                             Footprint{128, 129, 130}, Footprint{8, 8, 8}}) {
    const auto predicted = p.predict_us("gemm", f);
    ASSERT_TRUE(predicted.has_value());
    EXPECT_LT(relative_error(*predicted, test::gemm_us(f)), 0.05) << f[0] << "x" << f[1];
  }
  EXPECT_EQ(p.report().kinds.at(0).model, ProfileModel::affine_work);
}

TEST(PerformanceProfiler, PowerLawTimingsPredictUnseenSizes) {
  PerformanceProfiler p(profiler_options());
  Noise noise(0.03);
  const auto truth = [](double n) { return 0.01 * std::pow(n, 2.5); };
  for (double n = 64; n <= 2048; n *= 1.5) {
    for (int r = 0; r < 3; ++r) p.record("attention", {n}, Microseconds(truth(n) * noise()));
  }
  for (const double n : {100.0, 1000.0, 4096.0}) {
    const auto predicted = p.predict_us("attention", {n});
    ASSERT_TRUE(predicted.has_value());
    EXPECT_LT(relative_error(*predicted, truth(n)), 0.05) << n;
  }
  EXPECT_EQ(p.report().kinds.at(0).model, ProfileModel::power_work);
}

TEST(PerformanceProfiler, PerDimensionExponentsArePickedWhenTheyFitBetter) {
  PerformanceProfiler p(profiler_options());
  Noise noise(0.02);
  const auto truth = [](double s, double d) { return 1e-3 * s * s * d; };  // seq² · width
  for (double s = 64; s <= 1024; s *= 2) {
    for (double d = 32; d <= 256; d *= 2) {
      p.record("attention", {s, d}, Microseconds(truth(s, d) * noise()));
    }
  }
  const auto predicted = p.predict_us("attention", {1500, 100});
  ASSERT_TRUE(predicted.has_value());
  EXPECT_LT(relative_error(*predicted, truth(1500, 100)), 0.05);
  EXPECT_EQ(p.report().kinds.at(0).model, ProfileModel::power_dims);
}

TEST(PerformanceProfiler, ErrorStatisticsMatchHandComputedValues) {
  PerformanceProfiler p(profiler_options());
  p.record("k", {1}, Microseconds(100));  // no prediction yet
  p.record("k", {1}, Microseconds(110));  // predicted 100: error 10/110
  p.record("k", {1}, Microseconds(90));   // predicted median(100, 110) = 105: error 15/90
  p.record("k", {1}, Microseconds(100));  // predicted median(100, 110, 90) = 100: error 0
  const KindReport k = p.report().kinds.at(0);
  EXPECT_EQ(k.samples, 4u);
  EXPECT_EQ(k.error.count, 3u);
  EXPECT_DOUBLE_EQ(k.error.p50, 10.0 / 110.0);  // nearest rank: ceil(0.5 · 3) = 2nd of 3
  EXPECT_DOUBLE_EQ(k.error.p95, 15.0 / 90.0);   // ceil(0.95 · 3) = 3rd
  EXPECT_DOUBLE_EQ(k.error.max, 15.0 / 90.0);
  EXPECT_EQ(k.observed_error.count, 3u);
  EXPECT_EQ(k.regression_error.count, 0u);
}

TEST(PerformanceProfiler, RegressionErrorsAreCountedApart) {
  PerformanceProfiler p(profiler_options());
  for (const double n : {10.0, 20.0, 40.0}) p.record("k", {n}, Microseconds(2 * n));
  p.record("k", {80}, Microseconds(200));  // predicted 160 exactly: error 40/200
  const KindReport k = p.report().kinds.at(0);
  EXPECT_EQ(k.regression_error.count, 1u);
  EXPECT_NEAR(k.regression_error.p50, 0.2, 1e-9);
  EXPECT_EQ(k.observed_error.count, 0u);
  EXPECT_EQ(k.error.count, 1u);
}

TEST(PerformanceProfiler, SamplesToSettleIsTheCountBeforeTheFirstGoodRun) {
  ProfilerOptions o = profiler_options();
  o.settle_threshold = 0.10;
  o.settle_window = 3;
  PerformanceProfiler p(o);
  // Predictions (medians): -, 100, 125, 100, 110, 110, 111; errors: .33, .25, .17, 0, .018, .028.
  for (const double us : {100.0, 150.0, 100.0, 120.0}) p.record("k", {1}, Microseconds(us));
  EXPECT_FALSE(p.report().kinds.at(0).samples_to_settle.has_value());
  for (const double us : {110.0, 112.0}) p.record("k", {1}, Microseconds(us));
  EXPECT_FALSE(p.report().kinds.at(0).samples_to_settle.has_value());  // run of 2 < 3
  p.record("k", {1}, Microseconds(108));
  EXPECT_EQ(p.report().kinds.at(0).samples_to_settle, 4u);  // the run began with 4 samples held
  p.record("k", {1}, Microseconds(1000));                   // later misses do not unsettle
  EXPECT_EQ(p.report().kinds.at(0).samples_to_settle, 4u);
}

TEST(PerformanceProfiler, AMissRestartsTheSettleRun) {
  ProfilerOptions o = profiler_options();
  o.settle_window = 2;
  PerformanceProfiler p(o);
  // Errors: 0 (run starts with 1 held), 1.0 (miss), 0.5 (miss), then 0 and 0.
  for (const double us : {100.0, 100.0, 200.0, 200.0, 100.0, 100.0}) {
    p.record("k", {1}, Microseconds(us));
  }
  // Predictions: -, 100, 100, 100 (median 100,100,200), 150, 100 -> errors 0, 1, .5, .5, 0.
  EXPECT_FALSE(p.report().kinds.at(0).samples_to_settle.has_value());
  p.record("k", {1}, Microseconds(100));  // prediction 100: second 0 in a row
  EXPECT_EQ(p.report().kinds.at(0).samples_to_settle, 5u);
}

TEST(PerformanceProfiler, HistoryKeepsTheLastSamplesPerFootprint) {
  ProfilerOptions o = profiler_options();
  o.history_per_footprint = 3;
  PerformanceProfiler p(o);
  for (const double us : {1.0, 2.0, 3.0, 100.0, 100.0}) p.record("k", {1}, Microseconds(us));
  EXPECT_DOUBLE_EQ(*p.predict_us("k", {1}), 100.0);  // retained: 3, 100, 100
  EXPECT_EQ(p.report().kinds.at(0).samples, 5u);
}

TEST(PerformanceProfiler, TheLeastRecentlyRecordedFootprintIsDropped) {
  ProfilerOptions o = profiler_options();
  o.max_footprints_per_kind = 2;
  PerformanceProfiler p(o);
  p.record("k", {1}, Microseconds(1));
  p.record("k", {2}, Microseconds(2));
  p.record("k", {1}, Microseconds(1));
  p.record("k", {3}, Microseconds(3));  // drops {2}, recorded longest ago
  EXPECT_FALSE(p.predict_us("k", {2}).has_value());
  EXPECT_TRUE(p.predict_us("k", {1}).has_value());
  EXPECT_TRUE(p.predict_us("k", {3}).has_value());
  EXPECT_EQ(p.report().kinds.at(0).footprints, 2u);
}

TEST(PerformanceProfiler, ErrorWindowBoundsThePercentilesButNotTheCount) {
  ProfilerOptions o = profiler_options();
  o.error_window = 2;
  PerformanceProfiler p(o);
  for (const double us : {100.0, 200.0, 100.0, 100.0, 100.0}) p.record("k", {1}, Microseconds(us));
  // Errors: .5, 1/2 (pred 150 vs 100), 0, 0 -> window keeps the last two zeros.
  const KindReport k = p.report().kinds.at(0);
  EXPECT_EQ(k.error.count, 4u);
  EXPECT_DOUBLE_EQ(k.error.max, 0.0);
}

TEST(PerformanceProfiler, TinyDurationsCountAsOneNanosecond) {
  PerformanceProfiler p(profiler_options());
  p.record("k", {}, Microseconds(0));
  EXPECT_DOUBLE_EQ(*p.predict_us("k", {}), k_min_sample_us);
  p.record("k", {}, std::chrono::nanoseconds(0));
  EXPECT_EQ(p.report().kinds.at(0).error.p50, 0.0);
}

TEST(PerformanceProfiler, BadInputIsRefusedAndChangesNothing) {
  PerformanceProfiler p(profiler_options());
  p.record("gemm", {2, 3, 4}, Microseconds(5));
  const auto refused = [&](auto&& call, const std::string& message) {
    try {
      call();
      ADD_FAILURE() << "no error for: " << message;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), message);
    }
    EXPECT_EQ(samples_of(p), 1u);
    EXPECT_EQ(p.report().kinds.size(), 1u);
  };
  refused([&] { p.record("", {1}, Microseconds(1)); },
          "PerformanceProfiler: the operation kind is empty");
  refused(
      [&] {
        p.record("gemm", {2, 0, 4}, Microseconds(1));
      },
      "PerformanceProfiler: kind 'gemm': footprint value 1 is 0; footprint values must be "
      "finite and > 0");
  refused([&] { p.record("x", {-1}, Microseconds(1)); },
          "PerformanceProfiler: kind 'x': footprint value 0 is -1; footprint values must be "
          "finite and > 0");
  refused([&] { p.record("x", {std::numeric_limits<double>::infinity()}, Microseconds(1)); },
          "PerformanceProfiler: kind 'x': footprint value 0 is inf; footprint values must be "
          "finite and > 0");
  refused(
      [&] {
        p.record("gemm", {2, 3}, Microseconds(1));
      },
      "PerformanceProfiler: kind 'gemm' has footprints of 3 numbers, got 2");
  refused(
      [&] {
        p.record("gemm", {2, 3, 4}, Microseconds(-1));
      },
      "PerformanceProfiler: kind 'gemm': duration -1 us must be finite and >= 0");
  refused(
      [&] {
        p.record("gemm", {2, 3, 4}, Microseconds(std::nan("")));
      },
      "PerformanceProfiler: kind 'gemm': duration nan us must be finite and >= 0");
  refused(
      [&] {
        (void)p.predict_us("gemm", {2, 3});
      },
      "PerformanceProfiler: kind 'gemm' has footprints of 3 numbers, got 2");
  refused([&] { (void)p.predict_us("", {2}); }, "PerformanceProfiler: the operation kind is empty");
}

TEST(PerformanceProfiler, BadOptionsAreRefused) {
  const auto refused = [](auto change, const std::string& message) {
    ProfilerOptions o = profiler_options();
    change(o);
    try {
      PerformanceProfiler p(o);
      ADD_FAILURE() << "no error for: " << message;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), message);
    }
  };
  refused([](ProfilerOptions& o) { o.history_per_footprint = 0; },
          "ProfilerOptions: history_per_footprint must be > 0");
  refused([](ProfilerOptions& o) { o.max_footprints_per_kind = 0; },
          "ProfilerOptions: max_footprints_per_kind must be > 0");
  refused([](ProfilerOptions& o) { o.error_window = 0; },
          "ProfilerOptions: error_window must be > 0");
  refused([](ProfilerOptions& o) { o.settle_window = 0; },
          "ProfilerOptions: settle_window must be > 0");
  refused([](ProfilerOptions& o) { o.settle_threshold = -0.1; },
          "ProfilerOptions: settle_threshold must be a finite number >= 0");
  refused([](ProfilerOptions& o) { o.settle_threshold = std::nan(""); },
          "ProfilerOptions: settle_threshold must be a finite number >= 0");
}

TEST(PerformanceProfiler, DefaultHardwareIsThisMachinesFingerprint) {
  const PerformanceProfiler p;
  EXPECT_EQ(p.hardware().rfind("cpu=", 0), 0u) << p.hardware();
  EXPECT_NE(p.hardware().find(";cpus="), std::string::npos);
}

TEST(ProfileScope, RecordsTheElapsedTimeOnce) {
  PerformanceProfiler p(profiler_options());
  {
    ProfileScope scope(p, "sleep", {1});
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const auto us = p.predict_us("sleep", {1});
  ASSERT_TRUE(us.has_value());
  EXPECT_GE(*us, 2000.0);  // a lower bound only: sleeping never takes less
  EXPECT_EQ(samples_of(p), 1u);
}

TEST(ProfileScope, IntegerSizesNeedNoCasts) {
  PerformanceProfiler p(profiler_options());
  const std::size_t m = 64;
  const int n = 32;
  { ProfileScope scope(p, "gemm", make_footprint(m, n, 16u)); }
  p.record("gemm", make_footprint(m, n, 16.0), Microseconds(1));
  EXPECT_TRUE(p.predict_us("gemm", make_footprint(64, 32, 16)).has_value());
  static_assert(make_footprint(1, 2.5f)[1] == 2.5);
  EXPECT_EQ(samples_of(p), 2u);
}

TEST(ProfileScope, DismissedScopesRecordNothing) {
  PerformanceProfiler p(profiler_options());
  {
    ProfileScope scope(p, "k", Footprint{1, 2});
    scope.dismiss();
  }
  EXPECT_EQ(samples_of(p), 0u);
}

TEST(ProfileScope, TheConstructorRefusesBadInput) {
  PerformanceProfiler p(profiler_options());
  p.record("k", {1, 2}, Microseconds(1));
  EXPECT_THROW(ProfileScope(p, "k", {1}), Error);
  EXPECT_THROW(ProfileScope(p, "", {1}), Error);
  EXPECT_THROW(ProfileScope(p, "z", {0}), Error);
  EXPECT_EQ(samples_of(p), 1u);
}

TEST(ProfileScope, TheDestructorSwallowsAConflictThatAroseMeanwhile) {
  PerformanceProfiler p(profiler_options());
  {
    ProfileScope scope(p, "k", {1});
    p.record("k", {1, 2}, Microseconds(1));  // the kind now has two numbers per footprint
  }
  EXPECT_EQ(samples_of(p), 1u);
}

TEST(ProfilerReport, ListsKindsInOrderWithATotal) {
  PerformanceProfiler p(profiler_options());
  for (const double n : {1.0, 2.0, 4.0, 8.0}) p.record("b", {n}, Microseconds(3 * n));
  p.record("a", {1}, Microseconds(10));
  p.record("a", {1}, Microseconds(10));
  const ProfilerReport r = p.report();
  ASSERT_EQ(r.kinds.size(), 2u);
  EXPECT_EQ(r.kinds[0].kind, "a");
  EXPECT_EQ(r.kinds[1].kind, "b");
  EXPECT_EQ(r.error.count, 2u);  // a: one observed prediction; b: one regression prediction
  const std::string text = format_profiler_report(r);
  EXPECT_NE(text.find("a                           2     1       1    0.0%"), std::string::npos)
      << text;
  EXPECT_NE(text.find("_work (loo 0.0%)"), std::string::npos) << text;  // exact data: either fits
  EXPECT_NE(text.find("none"), std::string::npos) << text;
  EXPECT_NE(text.find("total                       6"), std::string::npos) << text;
}

TEST(ProfilerReport, ModelNames) {
  EXPECT_EQ(to_string(ProfileModel::none), "none");
  EXPECT_EQ(to_string(ProfileModel::affine_work), "affine_work");
  EXPECT_EQ(to_string(ProfileModel::power_work), "power_work");
  EXPECT_EQ(to_string(ProfileModel::power_dims), "power_dims");
  EXPECT_EQ(to_string(static_cast<ProfileModel>(42)), "none");
}

}  // namespace
}  // namespace neat
