// BatchOptimizer's online feedback: AIMD, damping, the settle rule, memory signals, observer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "batch/batch_optimizer_test_support.hpp"
#include "neat/batch/batch_optimizer.hpp"
#include "neat/resources/memory_budget.hpp"

namespace neat {
namespace {

using std::chrono::milliseconds;
using test::k_kib;
using test::optimizer_options;
using ::testing::HasSubstr;

BatchOutcome outcome(std::size_t size, milliseconds latency, bool memory_failure = false) {
  return {
      .size = size, .latency = latency, .run_time = latency, .failed_for_memory = memory_failure};
}

// Feeds `count` equal outcomes at the optimizer's current size with the given latency.
void feed(BatchOptimizer& optimizer, std::size_t count, milliseconds latency) {
  for (std::size_t i = 0; i < count; ++i) {
    optimizer.record(outcome(optimizer.preferred_size(), latency));
  }
}

BatchOptimizerOptions limited(std::size_t initial) {
  BatchOptimizerOptions o = optimizer_options();
  o.latency_limit = milliseconds(10);
  o.initial_size = initial;
  return o;
}

TEST(BatchOptimizerOnline, LatencyOverTheLimitHalvesAfterKBatches) {
  test::DecisionLog log;
  BatchOptimizerOptions o = limited(64);
  o.observer = &log;
  BatchOptimizer optimizer(o);
  feed(optimizer, o.confirm_batches - 1, milliseconds(12));
  EXPECT_EQ(optimizer.preferred_size(), 64u);  // damped: not yet
  feed(optimizer, 1, milliseconds(12));
  EXPECT_EQ(optimizer.preferred_size(), 32u);
  ASSERT_EQ(log.decisions().size(), 1u);
  EXPECT_EQ(log.decisions()[0].from, 64u);
  EXPECT_EQ(log.decisions()[0].to, 32u);
  EXPECT_THAT(log.decisions()[0].reason,
              HasSubstr("latency 12 ms over the 10 ms limit (4 batches in a row)"));
  // The next shrink waits for the settle period, N batches after the change.
  feed(optimizer, o.settle_batches - 1, milliseconds(12));
  EXPECT_EQ(optimizer.preferred_size(), 32u);
  feed(optimizer, 1, milliseconds(12));
  EXPECT_EQ(optimizer.preferred_size(), 16u);
  EXPECT_EQ(optimizer.stats().changes, 2u);
}

TEST(BatchOptimizerOnline, AnInterruptedStreakDoesNotChangeTheSize) {
  BatchOptimizer optimizer(limited(64));
  for (int i = 0; i < 40; ++i) {
    optimizer.record(outcome(64, milliseconds(12)));
    optimizer.record(outcome(64, milliseconds(12)));
    optimizer.record(outcome(64, milliseconds(9)));  // inside the band: hold
  }
  EXPECT_EQ(optimizer.preferred_size(), 64u);
  EXPECT_EQ(optimizer.stats().batches, 120u);
}

TEST(BatchOptimizerOnline, HeadroomGrowsAdditivelyUpToTheTarget) {
  test::DecisionLog log;
  BatchOptimizerOptions o = limited(10);
  o.additive_step = 3;
  o.max_size = 19;
  o.observer = &log;
  BatchOptimizer optimizer(o);
  feed(optimizer, o.confirm_batches, milliseconds(1));
  EXPECT_EQ(optimizer.preferred_size(), 13u);
  EXPECT_THAT(log.decisions().back().reason, HasSubstr("headroom: latency 1 ms"));
  feed(optimizer, o.settle_batches, milliseconds(1));
  EXPECT_EQ(optimizer.preferred_size(), 16u);
  feed(optimizer, 4 * o.settle_batches, milliseconds(1));
  EXPECT_EQ(optimizer.preferred_size(), 19u);  // max_size is the ceiling
  EXPECT_EQ(optimizer.stats().ceiling, 19u);
}

TEST(BatchOptimizerOnline, PartialBatchesAndLatencyNearTheLimitDoNotGrow) {
  BatchOptimizer optimizer(limited(10));
  for (int i = 0; i < 100; ++i) optimizer.record(outcome(5, milliseconds(1)));  // partial
  feed(optimizer, 100, milliseconds(8));  // 8 ms · 11/10 is over 0.8 × 10 ms
  EXPECT_EQ(optimizer.preferred_size(), 10u);
  EXPECT_EQ(optimizer.stats().changes, 0u);
}

TEST(BatchOptimizerOnline, WithoutALimitItGrowsToTheSweepsChoiceAndHolds) {
  BatchOptimizerOptions o = optimizer_options();
  o.additive_step = 8;
  BatchOptimizer optimizer(o);
  const std::size_t target = optimizer.tune([](std::size_t n) { return test::curve(n); }).size;
  optimizer.record(outcome(target, milliseconds(1), true));  // halves it
  ASSERT_LT(optimizer.preferred_size(), target);
  feed(optimizer, 20 * o.settle_batches, milliseconds(1));
  // The failure's ceiling (target - 1) held for 8·N batches, then growth went on to the target.
  EXPECT_EQ(optimizer.preferred_size(), target);
  feed(optimizer, 4 * o.settle_batches, milliseconds(1));
  EXPECT_EQ(optimizer.preferred_size(), target);
}

TEST(BatchOptimizerOnline, AMemoryFailureShrinksAtOnceAndCapsGrowth) {
  test::DecisionLog log;
  BatchOptimizerOptions o = limited(40);
  o.observer = &log;
  o.additive_step = 4;
  BatchOptimizer optimizer(o);
  optimizer.record(outcome(40, milliseconds(1), true));
  EXPECT_EQ(optimizer.preferred_size(), 20u);
  EXPECT_THAT(log.decisions().back().reason,
              HasSubstr("memory failure at 40 items: no growth past 39 for 128 batches"));
  optimizer.record(outcome(0, milliseconds(1), true));  // size unknown: the current one
  EXPECT_EQ(optimizer.preferred_size(), 10u);           // at once, no settle period
  EXPECT_EQ(optimizer.stats().ceiling, 19u);
  feed(optimizer, 100, milliseconds(1));
  EXPECT_EQ(optimizer.preferred_size(), 19u);  // +4 per N = 16 batches from 10, held at 19
  feed(optimizer, 100, milliseconds(1));
  EXPECT_GT(optimizer.preferred_size(), 19u);  // the ceiling expired 8·N batches after the failure
}

TEST(BatchOptimizerOnline, MemoryPressureShrinksAndABudgetCutAppliesAtOnce) {
  test::EncoderMemory shared;  // "encoder" has the whole 1024 KiB
  auto& [fake, memory] = shared;
  test::DecisionLog log;
  BatchOptimizerOptions o = limited(64);
  o.memory = &memory;
  o.bytes_per_item = 8 * k_kib;  // 128 items fit
  o.observer = &log;
  BatchOptimizer optimizer(o);
  fake.set_rss(750 * k_kib);  // 73%: elevated
  memory.refresh();
  ASSERT_EQ(memory.level(), PressureLevel::elevated);
  feed(optimizer, o.confirm_batches, milliseconds(1));
  EXPECT_EQ(optimizer.preferred_size(), 32u);
  EXPECT_THAT(log.decisions().back().reason, HasSubstr("memory pressure elevated"));
  fake.set_rss(0);
  memory.refresh();
  feed(optimizer, o.settle_batches, milliseconds(1));
  EXPECT_EQ(optimizer.preferred_size(), 33u);  // headroom again
  // A component of importance 3 takes 3/4 of the memory: 256 KiB, 32 items fit.
  memory.register_component({.name = "decoder", .importance = 3});
  optimizer.record(outcome(33, milliseconds(1)));
  EXPECT_EQ(optimizer.preferred_size(), 32u);
  EXPECT_THAT(log.decisions().back().reason,
              HasSubstr("memory budget: 32 items fit at 8192 bytes per item"));
  EXPECT_EQ(optimizer.stats().ceiling, 32u);
}

// [batch.opt.online] The settle rule on a deterministic steady workload: the changes are at
// least N batches apart, and once converged there are none.
class SettleRule : public ::testing::TestWithParam<std::size_t> {};

TEST_P(SettleRule, ChangesAtMostOncePerNBatchesAndThenNever) {
  for (const double jitter : {0.0, 0.05}) {
    test::DecisionLog log;
    BatchOptimizerOptions o = limited(GetParam());
    o.observer = &log;
    BatchOptimizer optimizer(o);
    test::SteadyLatency model{.jitter = jitter};  // 1 ms + 0.1 ms per item, limit 10 ms
    std::vector<std::size_t> change_batches;
    std::size_t last_size = optimizer.preferred_size();
    for (std::size_t batch = 0; batch < 4000; ++batch) {
      optimizer.record(model.next(optimizer.preferred_size()));
      if (optimizer.preferred_size() != last_size) change_batches.push_back(batch);
      last_size = optimizer.preferred_size();
    }
    ASSERT_FALSE(change_batches.empty());
    for (std::size_t i = 1; i < change_batches.size(); ++i) {
      EXPECT_GE(change_batches[i] - change_batches[i - 1], o.settle_batches) << "jitter " << jitter;
    }
    EXPECT_LT(change_batches.back(), 2500u) << "not converged, jitter " << jitter;
    // Converged inside the band: (1 + 0.1·s)·(s + 1)/s passes 0.8 × 10 ms from s = 69 on (68
    // with the jitter, which breaks the runs of K grow signals sooner).
    EXPECT_GE(last_size, 60u) << "jitter " << jitter;
    EXPECT_LE(last_size, 69u) << "jitter " << jitter;
    // Every change was reported, with a reason.
    ASSERT_EQ(log.decisions().size(), change_batches.size());
    for (const auto& d : log.decisions()) {
      EXPECT_NE(d.from, d.to);
      EXPECT_FALSE(d.reason.empty());
      EXPECT_EQ(d.component, "encoder");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(FromBelowAndAbove, SettleRule, ::testing::Values(1u, 40u, 256u));

}  // namespace
}  // namespace neat
