// DynamicBatcher [batch.dyn.fire] [batch.dyn.size]: when batches fire, how large they are, and
// that every request gets its own result or its batch's exception.
#include "neat/batch/dynamic_batcher.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <mutex>
#include <new>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "batch/dynamic_batcher_test_support.hpp"
#include "neat/batch/batch_size_policy.hpp"
#include "neat/sched/execution_scheduler.hpp"

namespace neat {
namespace {

using test::BatchLog;
using test::ready_within;
using test::still_waiting;
using test::submit_range;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

class DynamicBatcherTest : public test::BatcherFixture {};

TEST_F(DynamicBatcherTest, FiresAtThePreferredSizeAndKeepsTheRestQueued) {
  DynamicBatcherOptions options = test::by_size_only(16);
  options.preferred_sizes = {4};
  DynamicBatcher<int, int> batcher(scheduler_, options, test::times_ten(log_));
  auto futures = submit_range(batcher, 0, 10);
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(ready_within(futures[i]));
    EXPECT_EQ(futures[i].get(), 10 * i);
  }
  EXPECT_TRUE(still_waiting(futures[8]));
  EXPECT_THAT(log_.sizes(), ElementsAre(4, 4));
  EXPECT_EQ(batcher.stats().fired_full, 2u);
  EXPECT_EQ(batcher.stats().queued, 2u);
  batcher.flush();
  EXPECT_EQ(futures[9].get(), 90);
  EXPECT_EQ(batcher.stats().fired_flush, 1u);
}

TEST_F(DynamicBatcherTest, FiresAtMaxBatchWithoutPreferredSizes) {
  DynamicBatcher<int, int> batcher(scheduler_, test::by_size_only(5), test::times_ten(log_));
  auto futures = submit_range(batcher, 0, 5);
  for (auto& f : futures) ASSERT_TRUE(ready_within(f));
  EXPECT_THAT(log_.sizes(), ElementsAre(5));
  EXPECT_EQ(batcher.stats().largest_batch, 5u);
}

TEST_F(DynamicBatcherTest, FiresWhenTheOldestRequestsDelayRunsOut) {
  DynamicBatcherOptions options = test::by_size_only(8);
  // Long enough that three submissions fit in it on a loaded CI machine.
  options.max_delay = std::chrono::milliseconds(500);
  DynamicBatcher<int, int> batcher(scheduler_, options, test::times_ten(log_));
  const auto begin = Clock::now();
  auto futures = submit_range(batcher, 0, 3);
  for (auto& f : futures) ASSERT_TRUE(ready_within(f));
  const auto waited = Clock::now() - begin;
  EXPECT_GE(waited, std::chrono::milliseconds(500));
  EXPECT_LT(waited, std::chrono::seconds(10));
  EXPECT_THAT(log_.sizes(), ElementsAre(3));
  EXPECT_EQ(batcher.stats().fired_delay, 1u);
}

TEST_F(DynamicBatcherTest, AtTheDelayFormsTheLargestPreferredSizeTheRequestsFill) {
  DynamicBatcherOptions options = test::by_size_only(8);
  options.preferred_sizes = {2, 4};
  options.max_delay = std::chrono::milliseconds(500);  // three submissions fit in it under load
  DynamicBatcher<int, int> batcher(scheduler_, options, test::times_ten(log_));
  auto futures = submit_range(batcher, 0, 3);
  for (auto& f : futures) ASSERT_TRUE(ready_within(f));
  // Batches as (first request, size): {0, 1} fire at the delay, the third stays queued for its
  // own. Both may then run at once on the two workers, so their log order is not asserted.
  std::vector<std::pair<int, std::size_t>> batches;
  const std::vector<int> firsts = log_.firsts();
  const std::vector<std::size_t> sizes = log_.sizes();
  ASSERT_EQ(firsts.size(), sizes.size());
  for (std::size_t i = 0; i < sizes.size(); ++i) batches.emplace_back(firsts[i], sizes[i]);
  EXPECT_THAT(batches, UnorderedElementsAre(std::pair<int, std::size_t>{0, 2},
                                            std::pair<int, std::size_t>{2, 1}));
}

TEST_F(DynamicBatcherTest, ALoneRequestIsNotDelayed) {
  DynamicBatcherOptions options;
  options.max_delay = std::chrono::seconds(30);
  DynamicBatcher<int, int> batcher(scheduler_, options, test::times_ten(log_));
  const auto begin = Clock::now();
  std::future<int> f = batcher.submit(7);
  ASSERT_TRUE(ready_within(f, std::chrono::seconds(10)));  // far below the 30 s delay
  EXPECT_LT(Clock::now() - begin, std::chrono::seconds(10));
  EXPECT_EQ(f.get(), 70);
  EXPECT_EQ(batcher.stats().fired_sparse, 1u);
}

TEST_F(DynamicBatcherTest, DenseArrivalsWaitAndAQuietGapMakesTheNextOneLone) {
  DynamicBatcherOptions options;
  options.max_delay = std::chrono::milliseconds(300);
  DynamicBatcher<int, int> batcher(scheduler_, options, test::times_ten(log_));
  auto burst = submit_range(batcher, 0, 3);  // the first goes alone, the others wait
  for (auto& f : burst) ASSERT_TRUE(ready_within(f));
  EXPECT_THAT(log_.sizes(), ElementsAre(1, 2));
  EXPECT_EQ(batcher.stats().fired_delay, 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(350));  // longer than max_delay
  std::future<int> lone = batcher.submit(9);
  ASSERT_TRUE(ready_within(lone));
  EXPECT_EQ(batcher.stats().fired_sparse, 2u);
}

// Arrivals 600 ms apart with a 1 s delay: the third arrives when the next one would come after
// the second's deadline, so the two fire then instead of waiting for it.
TEST_F(DynamicBatcherTest, FiresEarlyWhenTheNextArrivalIsExpectedAfterTheDeadline) {
  DynamicBatcherOptions options;
  options.max_delay = std::chrono::seconds(1);
  DynamicBatcher<int, int> batcher(scheduler_, options, test::times_ten(log_));
  std::future<int> first = batcher.submit(1);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  std::future<int> second = batcher.submit(2);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  std::future<int> third = batcher.submit(3);
  ASSERT_TRUE(ready_within(third));
  EXPECT_EQ(second.get(), 20);
  EXPECT_THAT(log_.sizes(), ElementsAre(1, 2));
  EXPECT_EQ(batcher.stats().fired_sparse, 2u);
  EXPECT_EQ(batcher.stats().fired_delay, 0u);
}

TEST_F(DynamicBatcherTest, EachRequestGetsItsOwnResultAcrossBatches) {
  DynamicBatcherOptions options = test::by_size_only(3);
  DynamicBatcher<int, int> batcher(scheduler_, options, test::times_ten(log_));
  auto futures = submit_range(batcher, 0, 9);
  for (int i = 0; i < 9; ++i) EXPECT_EQ(futures[i].get(), 10 * i);
  EXPECT_EQ(batcher.stats().batches, 3u);
}

TEST_F(DynamicBatcherTest, TheBatchFunctionsExceptionReachesEveryRequestOfItsBatchOnly) {
  DynamicBatcher<int, int> batcher(scheduler_, test::by_size_only(2), [](std::vector<int>& b) {
    if (b.front() == 2) throw std::runtime_error("boom in batch 2");
    return b;
  });
  auto futures = submit_range(batcher, 0, 4);
  EXPECT_EQ(futures[0].get(), 0);
  EXPECT_EQ(futures[1].get(), 1);
  for (int i = 2; i < 4; ++i) {
    try {
      (void)futures[i].get();
      ADD_FAILURE() << "request " << i << " should have failed";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "boom in batch 2");
    }
  }
  batcher.wait_idle();
  EXPECT_EQ(batcher.stats().failed_batches, 1u);
}

TEST_F(DynamicBatcherTest, AWrongNumberOfResponsesFailsEveryRequestWithTheCounts) {
  DynamicBatcherOptions options = test::by_size_only(3);
  options.name = "encoder";
  DynamicBatcher<int, int> batcher(scheduler_, options, [](std::vector<int>& b) {
    b.pop_back();
    return b;
  });
  auto futures = submit_range(batcher, 0, 3);
  for (auto& f : futures) {
    const std::string error = test::error_of(f);
    EXPECT_THAT(error, HasSubstr("DynamicBatcher 'encoder'"));
    EXPECT_THAT(error, HasSubstr("returned 2 responses for 3 requests"));
  }
}

// A response whose move throws: the requests served before it keep their results, it and the
// rest get the exception.
struct Picky {
  explicit Picky(int v) : value(v) {}
  Picky(Picky&& other) : value(other.value) {
    if (value == 13) throw std::runtime_error("13 cannot move");
  }
  Picky& operator=(Picky&&) = delete;
  int value;
};

TEST_F(DynamicBatcherTest, AResponseThatCannotBeDeliveredFailsOnlyTheRequestsNotServed) {
#if defined(NEAT_DETAIL_TSAN)
  // ThreadSanitizer's pthread_once cannot unwind: after a move that throws inside
  // std::promise::set_value, the promise's next set_exception would wait forever.
  GTEST_SKIP() << "a throwing std::promise::set_value deadlocks under ThreadSanitizer";
#endif
  DynamicBatcher<int, Picky> batcher(scheduler_, test::by_size_only(3), [](std::vector<int>& b) {
    std::vector<Picky> out;
    out.reserve(b.size());
    for (int x : b) out.emplace_back(x);
    return out;
  });
  std::future<Picky> a = batcher.submit(12);
  std::future<Picky> b = batcher.submit(13);
  std::future<Picky> c = batcher.submit(14);
  EXPECT_EQ(a.get().value, 12);
  EXPECT_THROW((void)b.get(), std::runtime_error);
  EXPECT_THROW((void)c.get(), std::runtime_error);
}

TEST_F(DynamicBatcherTest, TheBatchFunctionMayTakeTheOperationContext) {
  DynamicBatcher<int, int> batcher(
      scheduler_, test::by_size_only(2), [](std::vector<int>& b, OpContext& ctx) {
        std::vector<int> out(b.size());
        ctx.parallel_for(0, b.size(),
                         [&](std::size_t i) { out[i] = b[i] + static_cast<int>(ctx.priority()); });
        return out;
      });
  std::future<int> a = batcher.submit(1, {.priority = ExecutionPriority::high});
  std::future<int> b = batcher.submit(2, {.priority = ExecutionPriority::high});
  EXPECT_EQ(a.get(), 2);  // run at its level: high = 1
  EXPECT_EQ(b.get(), 3);
}

TEST_F(DynamicBatcherTest, TheDestructorFlushesQueuedRequests) {
  std::vector<std::future<int>> futures;
  {
    DynamicBatcher<int, int> batcher(scheduler_, test::by_size_only(8), test::times_ten(log_));
    futures = submit_range(batcher, 0, 3);
  }
  for (int i = 0; i < 3; ++i) EXPECT_EQ(futures[i].get(), 10 * i);
}

}  // namespace
}  // namespace neat
