#include "neat/trace/multicast_observer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "neat/common/error.hpp"
#include "neat/trace/run_metrics.hpp"
#include "synthetic_events.hpp"

namespace neat {
namespace {

using test::at_us;

// Records the name of each callback it receives.
class CallLog : public Observer {
 public:
  std::vector<std::string> calls;
  void on_run_begin(const RunEvent&) override { calls.emplace_back("run_begin"); }
  void on_run_end(const RunEvent&) override { calls.emplace_back("run_end"); }
  void on_operation_ready(const OperationEvent&) override { calls.emplace_back("ready"); }
  void on_operation_start(const OperationEvent&) override { calls.emplace_back("start"); }
  void on_operation_end(const OperationEvent&) override { calls.emplace_back("end"); }
  void on_steal(const StealEvent&) override { calls.emplace_back("steal"); }
  void on_worker_sleep(std::size_t, Clock::time_point) override { calls.emplace_back("sleep"); }
  void on_worker_wake(std::size_t, Clock::time_point) override { calls.emplace_back("wake"); }
  void on_batch_decision(const BatchDecisionEvent& e) override {
    calls.emplace_back("batch " + std::string(e.component));
  }
};

TEST(MulticastObserver, ForwardsEveryEventToEveryTarget) {
  CallLog first;
  CallLog second;
  MulticastObserver both({&first, &second});
  EXPECT_EQ(both.size(), 2U);
  test::feed_run(both, 1, 0.0, std::nullopt);
  test::feed(both, {.worker = 0, .ready_us = 0, .start_us = 1, .end_us = 2});
  test::feed_steal(both, 0, 1, 3);
  both.on_worker_sleep(0, at_us(4));
  both.on_worker_wake(0, at_us(5));
  both.on_batch_decision(
      {.component = "blt", .from = 8, .to = 16, .reason = "headroom", .time = at_us(5)});
  test::feed_run(both, 1, std::nullopt, 6.0);
  const std::vector<std::string> expected{"run_begin", "ready", "start",     "end",
                                          "steal",     "sleep", "wake",      "batch blt",
                                          "run_end"};
  EXPECT_EQ(first.calls, expected);
  EXPECT_EQ(second.calls, expected);
}

TEST(MulticastObserver, FeedsRealCollectors) {
  MetricsCollector a(1);
  MetricsCollector b(1);
  MulticastObserver both;
  both.add(a);
  both.add(b);
  test::feed(both, {.worker = 0, .start_us = 0, .end_us = 7});
  EXPECT_DOUBLE_EQ(a.metrics().busy_us, 7.0);
  EXPECT_DOUBLE_EQ(b.metrics().busy_us, 7.0);
}

TEST(MulticastObserver, PlainObserverTargetIgnoresEvents) {
  // Observer's default callbacks do nothing; forwarding to one is harmless.
  Observer plain;
  CallLog log;
  MulticastObserver both({&plain, &log});
  test::feed_run(both, 1, 0.0, 1.0);
  test::feed(both, {.worker = 0, .ready_us = 0, .start_us = 0, .end_us = 1});
  test::feed_steal(both, 0, 0, 0);
  both.on_worker_sleep(0, at_us(0));
  both.on_worker_wake(0, at_us(1));
  both.on_batch_decision({});
  EXPECT_EQ(log.calls.size(), 9U);
}

TEST(MulticastObserver, RejectsNullTargets) {
  CallLog log;
  EXPECT_THAT(
      [&] {
        MulticastObserver bad({&log, nullptr});
      },
      ::testing::ThrowsMessage<Error>(::testing::HasSubstr("observer #1 of 2 is null")));
}

}  // namespace
}  // namespace neat
