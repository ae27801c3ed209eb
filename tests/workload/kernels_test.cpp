// Kernels compute what they claim (gemm against a naive product) and take about as long as
// they claim (spin, sleep), with loose bounds: the test machine is shared and noisy.
#include "neat/workload/kernels.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <stdexcept>

namespace neat {
namespace {

using SteadyClock = std::chrono::steady_clock;

template <class F>
double time_us(F&& f) {
  const auto start = SteadyClock::now();
  f();
  return std::chrono::duration<double, std::micro>(SteadyClock::now() - start).count();
}

void expect_matches_naive_product(std::uint32_t m, std::uint32_t n, std::uint32_t k) {
  kernels::GemmKernel gemm(m, n, k);
  EXPECT_EQ(gemm.m(), m);
  EXPECT_EQ(gemm.n(), n);
  EXPECT_EQ(gemm.k(), k);
  ASSERT_EQ(gemm.a().size(), std::size_t{m} * k);
  ASSERT_EQ(gemm.b().size(), std::size_t{k} * n);
  ASSERT_EQ(gemm.c().size(), std::size_t{m} * n);
  gemm.run();
  for (std::uint32_t i = 0; i < m; ++i) {
    for (std::uint32_t j = 0; j < n; ++j) {
      double expected = 0.0;
      for (std::uint32_t r = 0; r < k; ++r) {
        expected += double{gemm.a()[i + r * m]} * double{gemm.b()[r + j * k]};
      }
      ASSERT_NEAR(gemm.c()[i + j * m], expected, 1e-4 * (1.0 + std::abs(expected)))
          << "C(" << i << ", " << j << ") of " << m << "x" << n << "x" << k;
    }
  }
}

TEST(GemmKernel, MatchesNaiveProduct) {
  expect_matches_naive_product(1, 1, 1);
  expect_matches_naive_product(4, 4, 4);
  expect_matches_naive_product(5, 7, 3);
  expect_matches_naive_product(33, 17, 65);
}

TEST(GemmKernel, InputsAreFilledAndDiffer) {
  kernels::GemmKernel gemm(8, 8, 8);
  float min = 1.0f;
  float max = -1.0f;
  for (float v : gemm.a()) {
    min = std::min(min, v);
    max = std::max(max, v);
    EXPECT_GE(v, -1.0f);
    EXPECT_LT(v, 1.0f);
  }
  EXPECT_LT(min, 0.0f);
  EXPECT_GT(max, 0.0f);
  EXPECT_NE(gemm.a(), gemm.b());
  EXPECT_EQ(gemm.flops(), 2.0 * 8 * 8 * 8);
}

TEST(GemmKernel, ProductOfKnownMatrices) {
  // Column-major 2x2: A = [1 2; 3 4], B = [5 6; 7 8] -> C = [19 22; 43 50].
  const float a[] = {1, 3, 2, 4};
  const float b[] = {5, 7, 6, 8};
  float c[4] = {};
  kernels::gemm_product(a, b, c, 2, 2, 2);
  EXPECT_FLOAT_EQ(c[0], 19);
  EXPECT_FLOAT_EQ(c[1], 43);
  EXPECT_FLOAT_EQ(c[2], 22);
  EXPECT_FLOAT_EQ(c[3], 50);
}

TEST(GemmKernel, RateIsMeasuredOnceAndEstimatesFollowIt) {
  const double rate = kernels::gemm_flops_per_us();
  EXPECT_GT(rate, 0.0);
  EXPECT_EQ(kernels::gemm_flops_per_us(), rate);  // cached
  const KernelSpec spec{.type = KernelType::gemm, .m = 64, .n = 32, .k = 16};
  EXPECT_DOUBLE_EQ(kernels::estimated_cost_us(spec), 2.0 * 64 * 32 * 16 / rate);
}

TEST(GemmKernel, EstimateIsInTheRightBallpark) {
  const KernelSpec spec{.type = KernelType::gemm, .m = 192, .n = 192, .k = 192};
  BoundKernel bound = kernels::bind(spec);
  bound.run();  // warm
  double best = 1e300;
  for (int i = 0; i < 5; ++i) best = std::min(best, time_us(bound.run));
  // Same code, same machine: the right order of magnitude (this catches unit mistakes), with
  // room for a calibration taken while sanitizers and other processes slowed it down.
  EXPECT_GT(best, bound.estimated_us / 20) << "estimate " << bound.estimated_us;
  EXPECT_LT(best, bound.estimated_us * 20) << "estimate " << bound.estimated_us;
}

TEST(Spin, CalibrationIsCached) {
  const double rate = kernels::spin_iterations_per_us();
  EXPECT_GT(rate, 0.0);
  EXPECT_EQ(kernels::spin_iterations_per_us(), rate);
}

TEST(Spin, WorkModeTakesAboutTheRequestedTime) {
  (void)kernels::spin_iterations_per_us();
  double best = 1e300;
  for (int i = 0; i < 3; ++i) best = std::min(best, time_us([] { kernels::spin(3000); }));
  EXPECT_GT(best, 3000.0 / 3);
  EXPECT_LT(best, 3000.0 * 4);
}

TEST(Spin, DeadlineModeEndsAtTheDeadline) {
  (void)kernels::spin_iterations_per_us();
  const double us = time_us([] { kernels::spin(2000, SpinMode::deadline); });
  EXPECT_GE(us, 2000.0);
  EXPECT_LT(us, 2000.0 + 50000.0);  // a preempted final chunk may overshoot, not by 50 ms
}

TEST(Spin, NonPositiveDurationsReturnAtOnce) {
  EXPECT_EQ(kernels::spin(0), 0.0);
  EXPECT_EQ(kernels::spin(-5, SpinMode::deadline), 0.0);
  EXPECT_LT(time_us([] { kernels::spin(0); }), 5000.0);
}

TEST(Spin, ResultDependsOnTheWork) {
  // The returned value comes out of the arithmetic (so the loop cannot be optimised away).
  const double a = kernels::spin(1);
  EXPECT_TRUE(std::isfinite(a));
  EXPECT_GT(a, 0.0);
}

TEST(Sleep, SleepsAtLeastTheRequestedTime) {
  EXPECT_GE(time_us([] { kernels::sleep_us(2000); }), 2000.0);
  EXPECT_LT(time_us([] { kernels::sleep_us(0); }), 5000.0);
  EXPECT_LT(time_us([] { kernels::sleep_us(-1); }), 5000.0);
}

TEST(Bind, EstimatesAndRunsEachKernel) {
  const BoundKernel spin = kernels::bind({.type = KernelType::spin, .us = 500});
  EXPECT_EQ(spin.estimated_us, 500.0);
  EXPECT_GT(time_us(spin.run), 500.0 / 3);

  const BoundKernel deadline =
      kernels::bind({.type = KernelType::spin, .us = 500, .spin_mode = SpinMode::deadline});
  EXPECT_GE(time_us(deadline.run), 500.0);

  const BoundKernel sleep = kernels::bind({.type = KernelType::sleep, .us = 1500});
  EXPECT_EQ(sleep.estimated_us, 1500.0);
  EXPECT_GE(time_us(sleep.run), 1500.0);

  const BoundKernel gemm = kernels::bind({.type = KernelType::gemm, .m = 8, .n = 8, .k = 8});
  EXPECT_DOUBLE_EQ(gemm.estimated_us, 1024.0 / kernels::gemm_flops_per_us());
  gemm.run();
  const BoundKernel copy = gemm;  // copies share the matrices
  copy.run();
}

TEST(Bind, EstimatesWithoutBinding) {
  EXPECT_EQ(kernels::estimated_cost_us({.type = KernelType::spin, .us = 12}), 12.0);
  EXPECT_EQ(kernels::estimated_cost_us({.type = KernelType::sleep, .us = 34}), 34.0);
  EXPECT_EQ(kernels::estimated_cost_us({.type = KernelType::fail}), 0.0);
}

TEST(Bind, FailKernelThrowsItsMessage) {
  const BoundKernel fail = kernels::bind({.type = KernelType::fail, .message = "boom"});
  EXPECT_EQ(fail.estimated_us, 0.0);
  try {
    fail.run();
    FAIL() << "did not throw";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "boom");
  }
}

}  // namespace
}  // namespace neat
