// ExecutionScheduler: results, dependencies (explicit and from data), errors, bad input,
// concurrency from many threads and from inside operations, over 1, 2, 4 and 8 workers.
#include "neat/sched/execution_scheduler.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/test_support.hpp"
#include "sched/scheduler_test_support.hpp"

namespace neat {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

class SchedulerTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  ParallelExecutor executor_{ExecutorOptions{.workers = GetParam()}};
  ExecutionScheduler scheduler_{executor_};
};

TEST_P(SchedulerTest, ReturnsResults) {
  auto answer = scheduler_.submit({.descriptor = {.name = "answer"}}, [] { return 42; });
  auto text = scheduler_.submit({}, [](OpContext& ctx) { return std::string(ctx.name()) + "!"; });
  auto nothing = scheduler_.submit({}, [] {});
  EXPECT_EQ(answer.get(), 42);
  EXPECT_EQ(text.get(), "!");
  nothing.get();
  EXPECT_EQ(answer.status(), OpStatus::completed);
  EXPECT_TRUE(answer.done());
  EXPECT_EQ(answer.name(), "answer");
  EXPECT_EQ(answer.reason(), "");
}

TEST_P(SchedulerTest, ExplicitDependenciesOrderOperations) {
  std::vector<int> seen;
  std::mutex mutex;
  auto record = [&](int i) {
    std::lock_guard<std::mutex> lock(mutex);
    seen.push_back(i);
  };
  auto a = scheduler_.submit({}, [&] { record(1); });
  auto b = scheduler_.submit({.after = {a}}, [&] { record(2); });
  auto c = scheduler_.submit({.after = {a, b}}, [&] { record(3); });
  c.get();
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3}));
}

TEST_P(SchedulerTest, DataAccessesOrderOperations) {
  DataHandle cell = scheduler_.data("cell");
  int value = 0;
  std::vector<int> reads(8, -1);
  auto w1 = scheduler_.submit({.accesses = {{cell, AccessMode::write}}}, [&] { value = 1; });
  std::vector<OpHandle<void>> readers;
  for (int i = 0; i < 8; ++i) {  // RAW: after w1; readers may overlap each other
    readers.push_back(
        scheduler_.submit({.accesses = {{cell, AccessMode::read}}}, [&, i] { reads[i] = value; }));
  }
  // WAR: after every reader
  auto w2 = scheduler_.submit({.accesses = {{cell, AccessMode::write}}}, [&] { value = 2; });
  // read_write: after w2
  auto rw = scheduler_.submit({.accesses = {{cell, AccessMode::read_write}}}, [&] { value *= 10; });
  rw.get();
  for (int r : reads) EXPECT_EQ(r, 1);
  EXPECT_EQ(value, 20);
}

// The same chain, submitted after the failure is known: the grandchild of the failed
// operation still names the root cause, not its cancelled parent.
TEST_P(SchedulerTest, LateSubmissionsInheritTheRootCause) {
  auto bad = scheduler_.submit({.descriptor = {.name = "decode"}},
                               []() -> int { throw std::runtime_error("bad byte"); });
  EXPECT_EQ(bad.wait_for(std::chrono::seconds(30)), WaitStatus::done);
  auto dependent = scheduler_.submit({.descriptor = {.name = "use"}, .after = {bad}}, [] {});
  auto grandchild = scheduler_.submit({.after = {dependent}}, [] {});
  EXPECT_EQ(dependent.reason(), "dependency 'decode' failed: bad byte");
  EXPECT_EQ(grandchild.reason(), "dependency 'decode' failed: bad byte");
  // A caller's cancellation is its own root cause.
  auto gate = scheduler_.submit({.descriptor = {.name = "gate"}, .after = {bad}}, [] {});
  auto held = scheduler_.submit({.descriptor = {.name = "held"}}, [] {});
  held.cancel();
  auto after_held = scheduler_.submit({.after = {held}}, [] {});
  if (held.status() == OpStatus::cancelled) {
    EXPECT_EQ(after_held.reason(), "dependency 'held' was cancelled");
  }
  scheduler_.wait_idle();
}

TEST_P(SchedulerTest, FailureIsRethrownAndCancelsDependents) {
  auto bad = scheduler_.submit({.descriptor = {.name = "decode", .component = "blt_encoder"}},
                               []() -> int { throw std::runtime_error("bad byte"); });
  std::atomic<bool> ran{false};
  auto dependent = scheduler_.submit({.descriptor = {.name = "use"}, .after = {bad}},
                                     [&] { ran.store(true); });
  auto grandchild = scheduler_.submit({.after = {dependent}}, [&] { ran.store(true); });
  try {
    (void)bad.get();
    FAIL() << "expected OperationFailed";
  } catch (const OperationFailed& e) {
    EXPECT_EQ(e.operation(), "decode");
    EXPECT_THAT(e.what(), HasSubstr("bad byte"));
  }
  EXPECT_THROW(grandchild.wait(), OperationCancelled);
  EXPECT_EQ(dependent.status(), OpStatus::cancelled);
  EXPECT_EQ(dependent.reason(), "dependency 'decode' failed: bad byte");
  EXPECT_EQ(grandchild.reason(), "dependency 'decode' failed: bad byte");
  EXPECT_FALSE(ran.load());
  // Submitting after a failed operation: cancelled at once, with the reason.
  auto late = scheduler_.submit({.after = {bad}}, [&] { ran.store(true); });
  EXPECT_EQ(late.status(), OpStatus::cancelled);
  EXPECT_THAT(late.reason(), HasSubstr("'decode' failed"));
  scheduler_.wait_idle();
  EXPECT_EQ(scheduler_.stats().failed, 1u);
  EXPECT_EQ(scheduler_.stats().cancelled, 3u);
}

TEST_P(SchedulerTest, BadSubmissionsAreRefusedAndChangeNothing) {
  const std::uint64_t before = scheduler_.stats().submitted;
  EXPECT_THROW((void)scheduler_.submit({.after = {OpRef{}}}, [] {}), Error);
  try {
    (void)scheduler_.submit(
        {.descriptor = {.name = "x"}, .accesses = {{DataHandle{7}, AccessMode::read}}}, [] {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("'x'"));
    EXPECT_THAT(e.what(), HasSubstr("unknown data handle 7"));
  }
  EXPECT_THROW((void)scheduler_.submit({.descriptor = {.cost_hint_us = -1}}, [] {}), Error);
  ExecutionScheduler other(executor_);
  auto foreign = other.submit({}, [] {});
  EXPECT_THROW((void)scheduler_.submit({.after = {foreign}}, [] {}), Error);
  EXPECT_EQ(scheduler_.stats().submitted, before);
  scheduler_.wait_idle();  // nothing left behind by the refused submissions
}

TEST_P(SchedulerTest, EmptyHandleIsAnError) {
  OpRef empty;
  EXPECT_FALSE(empty.valid());
  EXPECT_THROW((void)empty.status(), Error);
  EXPECT_THROW(empty.wait(), Error);
  EXPECT_THROW(empty.cancel(), Error);
}

TEST_P(SchedulerTest, SubmissionsFromManyThreadsAndFromOperations) {
  std::atomic<int> count{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        auto outer = scheduler_.submit({}, [&] {
          auto inner = scheduler_.submit({}, [&] { count.fetch_add(1); });
          inner.wait();  // on a worker: helps, never blocks
          count.fetch_add(1);
        });
        if (i % 10 == 0) outer.wait();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  scheduler_.wait_idle();
  EXPECT_EQ(count.load(), 800);
  EXPECT_EQ(scheduler_.stats().completed, 800u);
}

TEST_P(SchedulerTest, WaitIdleFromAWorkerIsRefused) {
  auto op = scheduler_.submit({}, [&] { scheduler_.wait_idle(); });
  EXPECT_THROW(op.wait(), OperationFailed);
}

TEST_P(SchedulerTest, WaitForTimesOut) {
  std::atomic<bool> release{false};
  auto op = scheduler_.submit({}, [&] {
    while (!release.load()) std::this_thread::sleep_for(200us);
  });
  EXPECT_EQ(op.wait_for(5ms), WaitStatus::timeout);
  release.store(true);
  EXPECT_EQ(op.wait_for(60s), WaitStatus::done);
}

INSTANTIATE_TEST_SUITE_P(Workers, SchedulerTest, test::k_worker_counts, test::worker_name);

}  // namespace
}  // namespace neat
