// DynamicBatcher: request timeouts (reject, run anyway), the bounded queue, and the errors for
// bad options and bad requests, which name the batcher and the problem and change nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "batch/dynamic_batcher_test_support.hpp"
#include "neat/batch/batch_size_policy.hpp"
#include "neat/batch/dynamic_batcher.hpp"
#include "neat/sched/execution_scheduler.hpp"

namespace neat {
namespace {

using test::ready_within;
using test::still_waiting;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class DynamicBatcherLimitsTest : public test::BatcherFixture {};

TEST_F(DynamicBatcherLimitsTest, ATimedOutRequestIsRejectedAndTheOthersStay) {
  DynamicBatcherOptions options = test::by_size_only(8);
  options.name = "tokenizer";
  DynamicBatcher<int, int> batcher(scheduler_, options, test::times_ten(log_));
  std::future<int> patient = batcher.submit(1);
  const auto begin = Clock::now();
  std::future<int> hurried = batcher.submit(2, {.timeout = std::chrono::milliseconds(20)});
  ASSERT_TRUE(ready_within(hurried));
  EXPECT_GE(Clock::now() - begin, std::chrono::milliseconds(20));
  try {
    (void)hurried.get();
    ADD_FAILURE() << "should have timed out";
  } catch (const RequestTimedOut& e) {
    EXPECT_THAT(e.what(), HasSubstr("DynamicBatcher 'tokenizer': request timed out after"));
    EXPECT_THAT(e.what(), HasSubstr("(timeout 20 ms)"));
    EXPECT_EQ(e.timeout(), std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(still_waiting(patient));
  const DynamicBatcherStats stats = batcher.stats();
  EXPECT_EQ(stats.timed_out, 1u);
  EXPECT_EQ(stats.queued, 1u);
  EXPECT_EQ(stats.batches, 0u);
  batcher.flush();
  EXPECT_EQ(patient.get(), 10);
}

TEST_F(DynamicBatcherLimitsTest, RunAnywayFiresTheLevelWhenATimeoutPasses) {
  DynamicBatcherOptions options = test::by_size_only(8);
  options.timeout_policy = TimeoutPolicy::run_anyway;
  DynamicBatcher<int, int> batcher(scheduler_, options, test::times_ten(log_));
  std::future<int> patient = batcher.submit(1);
  std::future<int> hurried = batcher.submit(2, {.timeout = std::chrono::milliseconds(20)});
  EXPECT_EQ(hurried.get(), 20);
  EXPECT_EQ(patient.get(), 10);
  EXPECT_THAT(log_.sizes(), ElementsAre(2));
  const DynamicBatcherStats stats = batcher.stats();
  EXPECT_EQ(stats.late, 1u);
  EXPECT_EQ(stats.fired_late, 1u);
  EXPECT_EQ(stats.timed_out, 0u);
}

TEST_F(DynamicBatcherLimitsTest, ARequestThatLeavesTheQueueInTimeIsNotTimedOut) {
  DynamicBatcherOptions options = test::by_size_only(2);
  DynamicBatcher<int, int> batcher(scheduler_, options, test::times_ten(log_));
  std::future<int> a = batcher.submit(1, {.timeout = std::chrono::milliseconds(300)});
  std::future<int> b = batcher.submit(2, {.timeout = std::chrono::nanoseconds::max()});
  EXPECT_EQ(a.get(), 10);
  EXPECT_EQ(b.get(), 20);
  std::this_thread::sleep_for(std::chrono::milliseconds(350));  // past the first timeout
  EXPECT_EQ(batcher.stats().timed_out, 0u);
}

TEST_F(DynamicBatcherLimitsTest, AFullQueueRefusesWithItsCapacityAndKeepsWhatItHas) {
  DynamicBatcherOptions options = test::by_size_only(8);
  options.queue_capacity = 2;
  options.name = "encoder";
  DynamicBatcher<int, int> batcher(scheduler_, options, test::times_ten(log_));
  std::future<int> a = batcher.submit(1);
  std::future<int> b = batcher.submit(2);
  try {
    (void)batcher.submit(3);
    ADD_FAILURE() << "the queue should be full";
  } catch (const BatcherQueueFull& e) {
    EXPECT_STREQ(e.what(), "DynamicBatcher 'encoder': queue full (capacity 2)");
    EXPECT_EQ(e.capacity(), 2u);
  }
  EXPECT_EQ(batcher.stats().queued, 2u);
  EXPECT_EQ(batcher.stats().refused_full, 1u);
  batcher.flush();
  EXPECT_EQ(a.get(), 10);
  EXPECT_EQ(b.get(), 20);
  std::future<int> c = batcher.submit(3);  // room again
  batcher.flush();
  EXPECT_EQ(c.get(), 30);
}

TEST_F(DynamicBatcherLimitsTest, InvalidRequestOptionsAreRefusedAndQueueNothing) {
  DynamicBatcher<int, int> batcher(scheduler_, test::by_size_only(8), test::times_ten(log_));
  EXPECT_THAT([&] { (void)batcher.submit(1, {.priority = static_cast<ExecutionPriority>(9)}); },
              ::testing::ThrowsMessage<Error>(
                  HasSubstr("DynamicBatcher 'batch': request priority 9 is not a priority level")));
  EXPECT_THAT([&] { (void)batcher.submit(1, {.timeout = std::chrono::nanoseconds(-5)}); },
              ::testing::ThrowsMessage<Error>(HasSubstr("request timeout is negative (-5 ns)")));
  EXPECT_EQ(batcher.stats().submitted, 0u);
  EXPECT_EQ(batcher.stats().queued, 0u);
}

TEST(DynamicBatcherErrorsTest, TimeoutMessagesGiveDurationsInReadableUnits) {
  using std::chrono::duration_cast;
  using ns = std::chrono::nanoseconds;
  EXPECT_STREQ(RequestTimedOut("b", duration_cast<ns>(std::chrono::milliseconds(1500)),
                               duration_cast<ns>(std::chrono::seconds(1)))
                   .what(),
               "DynamicBatcher 'b': request timed out after waiting 1.5 s in the queue "
               "(timeout 1 s)");
  EXPECT_STREQ(RequestTimedOut("b", ns(250'000), ns(800)).what(),
               "DynamicBatcher 'b': request timed out after waiting 250 us in the queue "
               "(timeout 800 ns)");
}

struct BadOptions {
  std::string what;
  std::function<void(DynamicBatcherOptions&)> change;
  std::string message;
};

class DynamicBatcherBadOptionsTest : public ::testing::TestWithParam<BadOptions> {};

FixedBatchSize g_policy(4);

TEST_P(DynamicBatcherBadOptionsTest, AreRefusedWithTheOptionNamed) {
  ParallelExecutor executor(ExecutorOptions{.workers = 1});
  ExecutionScheduler scheduler(executor);
  DynamicBatcherOptions options;
  options.name = "enc";
  GetParam().change(options);
  using Batcher = DynamicBatcher<int, int>;
  auto build = [&] { Batcher b(scheduler, options, [](std::vector<int>& v) { return v; }); };
  EXPECT_THAT(build, ::testing::ThrowsMessage<Error>(HasSubstr(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(
    Options, DynamicBatcherBadOptionsTest,
    ::testing::Values(
        BadOptions{"EmptyName", [](auto& o) { o.name.clear(); }, "DynamicBatcher: name is empty"},
        BadOptions{"ZeroMaxBatch", [](auto& o) { o.max_batch = 0; },
                   "DynamicBatcher 'enc': max_batch must be at least 1"},
        BadOptions{"ZeroCapacity", [](auto& o) { o.queue_capacity = 0; },
                   "queue_capacity must be at least 1"},
        BadOptions{"NegativeDelay", [](auto& o) { o.max_delay = std::chrono::nanoseconds(-1); },
                   "max_delay is negative (-1 ns)"},
        BadOptions{"BadPriority", [](auto& o) { o.priority = static_cast<ExecutionPriority>(4); },
                   "priority 4 is not a priority level (0..3)"},
        BadOptions{"PreferredZero",
                   [](auto& o) {
                     o.preferred_sizes = {0, 4};
                   },
                   "preferred_sizes[0] = 0 is not in [1, max_batch = 32]"},
        BadOptions{"PreferredTooLarge",
                   [](auto& o) {
                     o.preferred_sizes = {8, 64};
                   },
                   "preferred_sizes[1] = 64 is not in [1, max_batch = 32]"},
        BadOptions{"PreferredUnordered",
                   [](auto& o) {
                     o.preferred_sizes = {8, 4};
                   },
                   "preferred_sizes[1] = 4 does not follow 8"},
        BadOptions{"PreferredAndPolicy",
                   [](auto& o) {
                     o.preferred_sizes = {4};
                     o.size_policy = &g_policy;
                   },
                   "preferred_sizes and size_policy are both set"},
        BadOptions{"MemoryWithoutComponent", [](auto& o) { o.memory_bytes_per_item = 10; },
                   "memory_bytes_per_item is set but component is empty"},
        BadOptions{"MemoryOverflow",
                   [](auto& o) {
                     o.component = "c";
                     o.memory_bytes_per_item = std::uint64_t{1} << 62;
                   },
                   "memory_bytes_per_item 4611686018427387904 x max_batch 32 does not fit"}),
    [](const ::testing::TestParamInfo<BadOptions>& p) { return p.param.what; });

TEST(DynamicBatcherFunctionTest, AnEmptyBatchFunctionIsRefused) {
  ParallelExecutor executor(ExecutorOptions{.workers = 1});
  ExecutionScheduler scheduler(executor);
  std::function<std::vector<int>(std::vector<int>&)> empty;
  using Batcher = DynamicBatcher<int, int>;
  auto build = [&] { Batcher b(scheduler, {}, empty); };
  EXPECT_THAT(build, ::testing::ThrowsMessage<Error>(
                         HasSubstr("DynamicBatcher 'batch': the batch function is empty")));
}

}  // namespace
}  // namespace neat
