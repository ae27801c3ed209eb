// BatchOptimizer: the profiled sweep (tune / sweep) on synthetic timings.
#include "neat/batch/batch_optimizer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <new>
#include <stdexcept>

#include "batch/batch_optimizer_test_support.hpp"
#include "neat/common/error.hpp"
#include "neat/resources/memory_budget.hpp"

namespace neat {
namespace {

using std::chrono::nanoseconds;
using test::curve;
using test::items_per_second;
using test::k_kib;
using test::optimizer_options;
using ::testing::HasSubstr;

// run_batch over `curve`, counting calls and remembering the sizes asked for.
struct CountingRun {
  std::vector<std::size_t> sizes;
  BatchOptimizer::RunBatch fn() {
    return [this](std::size_t n) {
      sizes.push_back(n);
      return curve(n);
    };
  }
};

TEST(BatchOptimizerSweep, FindsTheBestOfTheCurveInFewerThan200Batches) {
  test::DecisionLog log;
  BatchOptimizerOptions o = optimizer_options();
  o.observer = &log;
  BatchOptimizer optimizer(o);
  CountingRun run;
  const TuneResult r = optimizer.tune(run.fn());
  const std::size_t best = test::best_static_size(1, 256);
  EXPECT_GE(r.items_per_second, 0.98 * items_per_second(best)) << "chose " << r.size;
  EXPECT_NEAR(static_cast<double>(r.size), static_cast<double>(best), 0.15 * best);
  EXPECT_EQ(r.batches, run.sizes.size());
  EXPECT_LT(r.batches, 200u);
  EXPECT_FALSE(r.from_cache);
  EXPECT_EQ(optimizer.preferred_size(), r.size);
  EXPECT_TRUE(optimizer.stats().tuned);
  for (std::size_t n : run.sizes) EXPECT_LE(n, 256u);
  ASSERT_EQ(log.decisions().size(), 1u);
  EXPECT_EQ(log.decisions()[0].from, 1u);
  EXPECT_EQ(log.decisions()[0].to, r.size);
  EXPECT_THAT(log.decisions()[0].reason, HasSubstr("sweep: best throughput"));
}

TEST(BatchOptimizerSweep, RespectsTheLatencyLimit) {
  BatchOptimizerOptions o = optimizer_options();
  o.latency_limit = std::chrono::microseconds(200);
  BatchOptimizer optimizer(o);
  CountingRun run;
  const TuneResult r = optimizer.tune(run.fn());
  const std::size_t best = test::best_static_size(1, 256, *o.latency_limit);
  EXPECT_LE(curve(r.size), *o.latency_limit);
  EXPECT_GE(r.items_per_second, 0.95 * items_per_second(best));
  for (const SweepPoint& p : r.points) EXPECT_EQ(p.within_limit, p.duration <= *o.latency_limit);
  // Nothing much larger than the first size over the limit is tried.
  for (std::size_t n : run.sizes) EXPECT_LE(n, 64u);
}

TEST(BatchOptimizerSweep, NoSizeWithinTheLimitChoosesTheSmallest) {
  test::DecisionLog log;
  BatchOptimizerOptions o = optimizer_options();
  o.min_size = 4;
  o.latency_limit = std::chrono::microseconds(50);
  o.observer = &log;
  BatchOptimizer optimizer(o);
  const TuneResult r = optimizer.tune([](std::size_t n) { return curve(n); });
  EXPECT_EQ(r.size, 4u);
  EXPECT_EQ(r.items_per_second, 0.0);
  EXPECT_EQ(r.points.size(), 1u);
  ASSERT_EQ(log.decisions().size(), 1u);
  EXPECT_THAT(log.decisions()[0].reason, HasSubstr("no size qualified within the 50 us limit"));
}

TEST(BatchOptimizerSweep, NeverTriesSizesOverTheMemoryBudget) {
  test::EncoderMemory budget(40 * k_kib);
  BatchOptimizerOptions o = optimizer_options();
  o.memory = &budget.memory;
  o.bytes_per_item = k_kib;  // 40 items fit
  BatchOptimizer optimizer(o);
  CountingRun run;
  const TuneResult r = optimizer.tune(run.fn());
  for (std::size_t n : run.sizes) EXPECT_LE(n, 40u);
  EXPECT_EQ(r.size, 40u);  // throughput still rises at 40
  EXPECT_EQ(optimizer.stats().ceiling, 40u);
}

TEST(BatchOptimizerSweep, NoSizeFittingTheBudgetIsAnError) {
  test::EncoderMemory budget(3 * k_kib);
  BatchOptimizerOptions o = optimizer_options();
  o.memory = &budget.memory;
  o.bytes_per_item = k_kib;
  o.min_size = 4;
  BatchOptimizer optimizer(o);
  EXPECT_EQ(optimizer.preferred_size(), 4u);
  CountingRun run;
  try {
    (void)optimizer.tune(run.fn());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("'encoder': no batch size fits the memory budget: 3072 bytes "
                                    "/ 1024 bytes per item = 3 items, below min_size 4"));
  }
  EXPECT_TRUE(run.sizes.empty());
  EXPECT_FALSE(optimizer.stats().tuned);
}

class SweepMemoryFailure : public ::testing::TestWithParam<bool> {};

TEST_P(SweepMemoryFailure, StopsGrowingAtTheFirstFailure) {
  const bool refusal = GetParam();
  BatchOptimizer optimizer(optimizer_options());
  std::vector<std::size_t> sizes;
  const TuneResult r = optimizer.tune([&](std::size_t n) {
    sizes.push_back(n);
    if (n > 48) {
      if (refusal) throw MemoryRefused(Refusal{.component = "encoder", .message = "too big"});
      throw std::bad_alloc();
    }
    return curve(n);
  });
  EXPECT_LE(r.size, 48u);
  EXPECT_GE(r.items_per_second, 0.98 * items_per_second(48));
  std::size_t failures = 0;
  for (const SweepPoint& p : r.points) failures += p.failed_for_memory ? 1 : 0;
  EXPECT_GE(failures, 1u);
  EXPECT_EQ(std::count(sizes.begin(), sizes.end(), 64), 1);  // one try, not the repetitions
  for (std::size_t n : sizes) EXPECT_LE(n, 64u);
}

INSTANTIATE_TEST_SUITE_P(BadAllocOrRefusal, SweepMemoryFailure, ::testing::Bool());

TEST(BatchOptimizerSweep, FailuresOfRunBatchChangeNothing) {
  test::DecisionLog log;
  BatchOptimizer optimizer(test::observed(optimizer_options(), log, 8));
  EXPECT_THROW((void)optimizer.tune(
                   [](std::size_t) -> nanoseconds { throw std::runtime_error("kernel broke"); }),
               std::runtime_error);
  try {
    (void)optimizer.tune([](std::size_t n) { return n > 4 ? nanoseconds(-5) : curve(n); });
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("'encoder': run_batch(8) returned a negative duration (-5 ns)"));
  }
  EXPECT_THROW((void)optimizer.sweep(BatchOptimizer::RunBatch{}), Error);
  EXPECT_EQ(optimizer.preferred_size(), 8u);
  EXPECT_FALSE(optimizer.stats().tuned);
  EXPECT_TRUE(log.decisions().empty());
}

TEST(BatchOptimizerSweep, ZeroDurationsAndASingleSizeAreHandled) {
  BatchOptimizerOptions o = optimizer_options();
  o.min_size = o.max_size = 16;
  o.refine_rounds = 3;
  BatchOptimizer optimizer(o);
  const TuneResult r = optimizer.tune([](std::size_t) { return nanoseconds(0); });
  EXPECT_EQ(r.size, 16u);
  EXPECT_EQ(r.batches, 1 + o.sweep_repetitions);
  EXPECT_DOUBLE_EQ(r.items_per_second, 16e9);  // durations count as 1 ns
}

TEST(BatchOptimizerSweep, TuneReusesAnEarlierSweepAndSweepRepeatsIt) {
  BatchOptimizer optimizer(optimizer_options());
  CountingRun run;
  const TuneResult first = optimizer.tune(run.fn());
  const std::size_t used = run.sizes.size();
  const TuneResult again = optimizer.tune(run.fn());
  EXPECT_TRUE(again.from_cache);
  EXPECT_EQ(again.size, first.size);
  EXPECT_EQ(again.batches, 0u);
  EXPECT_EQ(run.sizes.size(), used);
  const TuneResult swept = optimizer.sweep(run.fn());
  EXPECT_EQ(run.sizes.size(), 2 * used);
  EXPECT_EQ(swept.size, first.size);
}

}  // namespace
}  // namespace neat
