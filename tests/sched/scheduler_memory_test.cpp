// ExecutionScheduler memory admission [sched.memory]: operations that declare memory start only
// with a reservation; refused ones are deferred and retried on releases and pressure changes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "core/test_support.hpp"
#include "neat/resources/memory_budget.hpp"
#include "neat/sched/execution_scheduler.hpp"
#include "resources/memory_test_support.hpp"
#include "sched/scheduler_test_support.hpp"

namespace neat {
namespace {

using ::testing::HasSubstr;
constexpr std::chrono::seconds k_limit{60};

// Wait until `pred` holds (or the limit passes); true when it held.
template <class Pred>
bool eventually(Pred pred) {
  const auto until = Clock::now() + k_limit;
  while (!pred()) {
    if (Clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

class SchedulerMemoryTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  SchedulerMemoryTest() {
    memory_.register_component({.name = "titans", .importance = 2, .memory_budget_bytes = 100});
    memory_.register_component({.name = "blt", .importance = 1, .memory_budget_bytes = 100});
  }
  Submission needing(std::string name, std::string component, std::uint64_t bytes,
                     ExecutionPriority priority = ExecutionPriority::medium) {
    return {.descriptor = {.name = std::move(name),
                           .component = std::move(component),
                           .priority = priority,
                           .memory_bytes = bytes}};
  }

  test::FakeMemory readings_;
  MemoryBudgetManager memory_{test::fake_options(readings_, 1000)};
  ParallelExecutor executor_{ExecutorOptions{.workers = GetParam()}};
  ExecutionScheduler scheduler_{executor_, SchedulerOptions{.memory = &memory_}};
};

TEST_P(SchedulerMemoryTest, ABudgetForOneAtATimeSerialisesWithoutDeadlock) {
  std::atomic<int> in_flight{0};
  std::atomic<int> most{0};
  std::atomic<int> plain_ran{0};
  std::vector<OpHandle<void>> handles;
  for (int i = 0; i < 40; ++i) {
    handles.push_back(scheduler_.submit(needing("step", "titans", 100), [&] {
      const int now = in_flight.fetch_add(1) + 1;
      int seen = most.load();
      while (now > seen && !most.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      in_flight.fetch_sub(1);
    }));
    handles.push_back(scheduler_.submit({}, [&] { plain_ran.fetch_add(1); }));
  }
  for (const OpHandle<void>& h : handles) ASSERT_EQ(h.wait_for(k_limit), WaitStatus::done);
  EXPECT_EQ(most.load(), 1);
  EXPECT_EQ(plain_ran.load(), 40);
  EXPECT_EQ(memory_.reserved_bytes(), 0u);
  EXPECT_EQ(scheduler_.stats().completed, 80u);
}

TEST_P(SchedulerMemoryTest, LargerThanItsBudgetFailsAtSubmissionWithTheNumbers) {
  try {
    (void)scheduler_.submit(needing("huge", "titans", 150), [] {});
    FAIL() << "expected neat::Error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("'huge'"));
    EXPECT_THAT(e.what(), HasSubstr("150 bytes"));
    EXPECT_THAT(e.what(), HasSubstr("budget of 100 bytes"));
  }
  EXPECT_THROW((void)scheduler_.submit(needing("who", "nobody", 10), [] {}), Error);
  EXPECT_THROW((void)scheduler_.submit(needing("anon", "", 10), [] {}), Error);
  EXPECT_EQ(scheduler_.stats().submitted, 0u);
  // Without a declared need nothing is checked.
  scheduler_.submit(needing("free", "", 0), [] {}).wait();
}

// An urgent operation waiting for memory is not overtaken by a less urgent one that would fit.
TEST_P(SchedulerMemoryTest, HigherPriorityGetsMemoryFirst) {
  Reservation held = memory_.reserve_or_throw("titans", 50);  // 50 of 100 left
  test::StartOrder order;
  auto urgent = scheduler_.submit(needing("urgent", "titans", 100, ExecutionPriority::high),
                                  [&order] { order.add("urgent"); });
  ASSERT_TRUE(eventually([&] { return urgent.status() == OpStatus::deferred; }));
  EXPECT_THAT(urgent.reason(), HasSubstr("waits for memory: component 'titans'"));
  std::vector<OpHandle<void>> lows;
  for (const char* name : {"low1", "low2"}) {  // 40 bytes each: either would fit now
    lows.push_back(scheduler_.submit(needing(name, "titans", 40, ExecutionPriority::low),
                                     [&order, name] { order.add(name); }));
  }
  ASSERT_TRUE(eventually([&] {
    return lows[0].status() == OpStatus::deferred && lows[1].status() == OpStatus::deferred;
  }));
  EXPECT_THAT(lows[0].reason(), HasSubstr("'urgent' is more urgent"));
  EXPECT_TRUE(order.get().empty());
  held.release();
  ASSERT_EQ(urgent.wait_for(k_limit), WaitStatus::done);
  for (const OpHandle<void>& h : lows) ASSERT_EQ(h.wait_for(k_limit), WaitStatus::done);
  ASSERT_EQ(order.get().size(), 3u);  // the two lows may start together on two workers
  EXPECT_EQ(order.get().front(), "urgent");
}

TEST_P(SchedulerMemoryTest, DeactivatedComponentIsDeferredWithTheReasonThenResumes) {
  readings_.set_rss(900);  // 90% of the total: high pressure, the least important goes
  memory_.refresh();
  ASSERT_FALSE(memory_.is_active("blt"));
  auto op = scheduler_.submit(needing("encode", "blt", 10), [] { return 7; });
  ASSERT_TRUE(eventually([&] { return op.status() == OpStatus::deferred; }));
  EXPECT_THAT(op.reason(), HasSubstr("deactivated at memory pressure high"));
  readings_.set_rss(100);
  memory_.refresh();  // back to normal: blt is reactivated, the scheduler retries
  ASSERT_EQ(op.wait_for(k_limit), WaitStatus::done);
  EXPECT_EQ(op.get(), 7);
  EXPECT_EQ(op.reason(), "");
}

TEST_P(SchedulerMemoryTest, DeferredOperationsCanBeCancelledOrTimeOut) {
  Reservation held = memory_.reserve_or_throw("titans", 100);
  std::atomic<bool> ran{false};
  auto cancelled = scheduler_.submit(needing("c", "titans", 50), [&] { ran.store(true); });
  Submission late = needing("t", "titans", 50);
  late.deadline = with_timeout(std::chrono::milliseconds(50));
  auto timed = scheduler_.submit(std::move(late), [&] { ran.store(true); });
  ASSERT_TRUE(eventually([&] { return cancelled.status() == OpStatus::deferred; }));
  cancelled.cancel();
  EXPECT_EQ(cancelled.status(), OpStatus::cancelled);
  ASSERT_EQ(timed.wait_for(k_limit), WaitStatus::done);
  EXPECT_EQ(timed.status(), OpStatus::timed_out);
  held.release();
  scheduler_.wait_idle();
  EXPECT_FALSE(ran.load());
  EXPECT_EQ(memory_.reserved_bytes(), 0u);
}

TEST_P(SchedulerMemoryTest, ReservationIsHeldWhileRunningAndReleasedAfter) {
  std::uint64_t seen = 0;
  scheduler_.submit(needing("work", "titans", 80), [&] { seen = memory_.reserved_bytes("titans"); })
      .wait();
  EXPECT_EQ(seen, 80u);
  EXPECT_EQ(memory_.reserved_bytes("titans"), 0u);
}

INSTANTIATE_TEST_SUITE_P(Workers, SchedulerMemoryTest, test::k_worker_counts, test::worker_name);

}  // namespace
}  // namespace neat
