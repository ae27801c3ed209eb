// DynamicBatcher with memory [batch.dyn.memory]: batches declare per-item memory and go through
// the scheduler's admission; the batcher keeps them within the budget, shrinks them under
// pressure and reports the change; refusals reach the requests and the size policy.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "batch/dynamic_batcher_test_support.hpp"
#include "neat/batch/batch_size_policy.hpp"
#include "neat/batch/dynamic_batcher.hpp"
#include "neat/resources/memory_budget.hpp"
#include "neat/sched/execution_scheduler.hpp"
#include "resources/memory_test_support.hpp"

namespace neat {
namespace {

using test::BatchLog;
using test::ready_within;
using ::testing::HasSubstr;

constexpr std::uint64_t k_mib = 1ull << 20;

struct Decision {
  std::string component;
  std::size_t from;
  std::size_t to;
  std::string reason;
};

class Decisions final : public Observer {
 public:
  void on_batch_decision(const BatchDecisionEvent& e) override {
    seen_.add({std::string(e.component), e.from, e.to, std::string(e.reason)});
  }
  std::vector<Decision> seen() const { return seen_.get(); }

 private:
  test::LockedList<Decision> seen_;
};

class DynamicBatcherMemoryTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  DynamicBatcherMemoryTest() {
    memory_.register_component({.name = "enc", .importance = 2, .memory_budget_bytes = 4 * k_mib});
    memory_.register_component({.name = "other", .importance = 1});
  }
  DynamicBatcherOptions options(std::size_t max_batch) {
    DynamicBatcherOptions o;
    o.component = "enc";
    o.max_batch = max_batch;
    o.max_delay = std::chrono::milliseconds(1);
    o.memory_bytes_per_item = k_mib;
    return o;
  }

  test::FakeMemory readings_;
  MemoryBudgetManager memory_{test::fake_options(readings_, 64 * k_mib)};
  ParallelExecutor executor_{ExecutorOptions{.workers = GetParam()}};
  ExecutionScheduler scheduler_{executor_, SchedulerOptions{.memory = &memory_}};
  BatchLog log_;
};

// The budget holds one full batch: batches are admitted one after another, none deadlocks, and
// the reservations never pass the budget.
TEST_P(DynamicBatcherMemoryTest, ABudgetForOneBatchAtATimeServesEveryRequest) {
  std::atomic<std::uint64_t> most_reserved{0};
  DynamicBatcher<int, int> batcher(scheduler_, options(4), [&](std::vector<int>& batch) {
    const std::uint64_t now = memory_.reserved_bytes("enc");
    std::uint64_t seen = most_reserved.load();
    while (now > seen && !most_reserved.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    return batch;
  });
  std::vector<std::future<int>> futures(80);
  std::vector<std::thread> producers;
  for (int t = 0; t < 4; ++t) {
    producers.emplace_back([&, t] {
      for (int i = t; i < 80; i += 4) futures[i] = batcher.submit(i);
    });
  }
  for (std::thread& p : producers) p.join();
  for (int i = 0; i < 80; ++i) {
    ASSERT_TRUE(ready_within(futures[i]));
    EXPECT_EQ(futures[i].get(), i);
  }
  EXPECT_LE(most_reserved.load(), 4 * k_mib);
  EXPECT_GT(most_reserved.load(), 0u);
  batcher.wait_idle();
  scheduler_.wait_idle();  // the scheduler releases a reservation after the batch returned
  EXPECT_EQ(memory_.reserved_bytes(), 0u);
}

TEST_P(DynamicBatcherMemoryTest, WithTheManagerBatchesStayWithinTheBudgetAndTheCapIsReported) {
  Decisions decisions;
  DynamicBatcherOptions o = test::by_size_only(8);
  o.component = "enc";
  o.memory_bytes_per_item = k_mib + k_mib / 4;  // 4 MiB hold 3 of them
  o.memory = &memory_;
  o.observer = &decisions;
  DynamicBatcher<int, int> batcher(scheduler_, o, test::times_ten(log_));
  EXPECT_EQ(batcher.stats().max_batch_now, 3u);
  std::vector<std::future<int>> futures;
  for (int i = 0; i < 7; ++i) futures.push_back(batcher.submit(i));
  batcher.flush();
  for (int i = 0; i < 7; ++i) EXPECT_EQ(futures[i].get(), 10 * i);
  for (std::size_t size : log_.sizes()) EXPECT_LE(size, 3u);
  EXPECT_EQ(batcher.stats().largest_batch, 3u);
  const auto seen = decisions.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].component, "enc");
  EXPECT_EQ(seen[0].from, 8u);
  EXPECT_EQ(seen[0].to, 3u);
  EXPECT_THAT(seen[0].reason, HasSubstr("memory budget of 'enc'"));
  EXPECT_THAT(seen[0].reason, HasSubstr("holds 3 requests"));
}

TEST_P(DynamicBatcherMemoryTest, PressureShrinksTheLargestBatchAndNormalRestoresIt) {
  Decisions decisions;
  DynamicBatcherOptions o = test::by_size_only(8);
  o.component = "enc";
  o.memory = &memory_;
  o.observer = &decisions;
  DynamicBatcher<int, int> batcher(scheduler_, o, test::times_ten(log_));
  readings_.set_rss(48 * k_mib);  // 75% of 64 MiB: elevated
  memory_.refresh();
  ASSERT_EQ(memory_.level(), PressureLevel::elevated);
  EXPECT_EQ(batcher.stats().max_batch_now, 4u);
  std::vector<std::future<int>> futures;
  for (int i = 0; i < 4; ++i) futures.push_back(batcher.submit(i));
  for (auto& f : futures) ASSERT_TRUE(ready_within(f));  // 4 is full now
  readings_.set_rss(62 * k_mib);                         // critical
  memory_.refresh();
  std::future<int> one = batcher.submit(9);
  EXPECT_EQ(one.get(), 90);
  readings_.set_rss(0);
  for (int i = 0; i < 3; ++i) memory_.refresh();  // down one level per sample
  EXPECT_EQ(batcher.stats().max_batch_now, 8u);
  const auto seen = decisions.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].to, 4u);
  EXPECT_THAT(seen[0].reason, HasSubstr("memory pressure elevated: batches of at most 4"));
  EXPECT_EQ(seen[1].to, 1u);
  EXPECT_THAT(seen[1].reason, HasSubstr("memory pressure critical"));
}

// Without the manager the batcher cannot keep a batch within the budget: the scheduler refuses
// the submission, every request of that batch gets why, and the policy hears a memory failure.
TEST_P(DynamicBatcherMemoryTest, ABatchOverTheBudgetFailsItsRequestsWithTheNumbers) {
  test::RecordingPolicy policy(4);
  DynamicBatcherOptions o = test::by_size_only(8);
  o.component = "enc";
  o.memory_bytes_per_item = 2 * k_mib;
  o.size_policy = &policy;
  DynamicBatcher<int, int> batcher(scheduler_, o, test::times_ten(log_));
  std::vector<std::future<int>> futures;
  for (int i = 0; i < 4; ++i) futures.push_back(batcher.submit(i));
  for (auto& f : futures) {
    const std::string error = test::error_of(f);
    EXPECT_THAT(error, HasSubstr("the scheduler refused a batch of 4"));
    EXPECT_THAT(error, HasSubstr("memory budget of 4.0 MiB"));
  }
  batcher.wait_idle();
  EXPECT_EQ(batcher.stats().failed_batches, 1u);
  ASSERT_EQ(policy.outcomes().size(), 1u);
  EXPECT_TRUE(policy.outcomes()[0].failed_for_memory);
  std::future<int> after = batcher.submit(5);  // the batcher goes on
  batcher.flush();
  EXPECT_EQ(after.get(), 50);
}

TEST_P(DynamicBatcherMemoryTest, OptionsTheBudgetCanNeverHoldAreRefused) {
  DynamicBatcherOptions o = options(4);
  o.memory = &memory_;
  o.memory_bytes_per_item = 5 * k_mib;
  using Batcher = DynamicBatcher<int, int>;
  auto echo = [](std::vector<int>& v) { return v; };
  EXPECT_THAT([&] { Batcher b(scheduler_, o, echo); },
              ::testing::ThrowsMessage<Error>(HasSubstr(
                  "one request needs 5.0 MiB (5242880 bytes) but component 'enc' has a memory "
                  "budget of 4.0 MiB")));
  o.component = "nobody";
  EXPECT_THAT([&] { Batcher b(scheduler_, o, echo); },
              ::testing::ThrowsMessage<Error>(HasSubstr("unknown component 'nobody'")));
  o.component.clear();
  o.memory_bytes_per_item = 0;
  EXPECT_THAT([&] { Batcher b(scheduler_, o, echo); },
              ::testing::ThrowsMessage<Error>(HasSubstr("memory is set but component is empty")));
}

INSTANTIATE_TEST_SUITE_P(Workers, DynamicBatcherMemoryTest, ::testing::Values(1, 2, 4, 8));

}  // namespace
}  // namespace neat
