// Prediction accuracy on synthetic gemm-like timings: 2·m·n·k flops at a fixed rate plus a
// launch cost and multiplicative noise, deterministic (fixed seed, no clock). Prints the
// report, so that it doubles as the measurement quoted in the docs:
//   build/tests/neat_sched_tests --gtest_filter='ProfilerAccuracy.*'
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>

#include "neat/sched/performance_profiler.hpp"
#include "sched/profiler_test_support.hpp"

namespace neat {
namespace {

struct Scenario {
  int samples;
  int distinct_sizes;  // sizes are drawn from a pool this large, so some repeat
  double noise;        // uniform multiplicative noise amplitude
};

struct Outcome {
  ProfilerReport report;
  PredictionErrorSummary oracle;  // predicting the noiseless time: the noise floor
};

Outcome run(const Scenario& s) {
  PerformanceProfiler p(test::profiler_options());
  std::vector<double> oracle;
  test::Noise noise(s.noise, 7);
  std::vector<Footprint> pool;
  for (int i = 0; i < s.distinct_sizes; ++i) {
    pool.push_back({noise.size(32, 512), noise.size(32, 512), noise.size(32, 512)});
  }
  for (int i = 0; i < s.samples; ++i) {
    const Footprint& f = pool[static_cast<std::size_t>(noise.size(0, s.distinct_sizes - 1))];
    const double measured = test::gemm_us(f) * noise();
    if (i > 0) oracle.push_back(test::relative_error(test::gemm_us(f), measured));
    p.record("gemm", f, Microseconds(measured));
  }
  Outcome out{p.report(), {}};
  std::sort(oracle.begin(), oracle.end());
  out.oracle = {oracle.size(), oracle[oracle.size() / 2], oracle[oracle.size() * 95 / 100],
                oracle.back()};
  std::cout << format_profiler_report(out.report)
            << "noise floor (oracle that knows the noiseless time): p50 " << 100 * out.oracle.p50
            << "%, p95 " << 100 * out.oracle.p95 << "%\n";
  return out;
}

TEST(ProfilerAccuracy, GemmLikeTimingsWithFivePercentNoise) {
  const Outcome o = run({400, 60, 0.05});
  const KindReport& k = o.report.kinds.at(0);
  EXPECT_LT(k.error.p50, 1.25 * o.oracle.p50);
  EXPECT_EQ(k.model, ProfileModel::affine_work);
  EXPECT_LT(k.error.p50, 0.05);
  EXPECT_LT(k.error.p95, 0.10);
  EXPECT_LT(k.regression_error.p95, 0.10);
  ASSERT_TRUE(k.samples_to_settle.has_value());
  EXPECT_LE(*k.samples_to_settle, 10u);
}

TEST(ProfilerAccuracy, GemmLikeTimingsWithTwentyPercentNoise) {
  const Outcome o = run({400, 60, 0.20});
  const KindReport& k = o.report.kinds.at(0);
  EXPECT_LT(k.error.p50, 1.25 * o.oracle.p50);
  EXPECT_LT(k.error.p50, 0.15);
  EXPECT_LT(k.error.p95, 0.35);
}

}  // namespace
}  // namespace neat
