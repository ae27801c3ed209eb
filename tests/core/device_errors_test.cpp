// Streams that fail, and misuse of devices, streams and events: every misuse throws neat::Error
// naming the place and changes nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>

#include "core/test_support.hpp"
#include "neat/common/error.hpp"
#include "neat/core/cpu_device.hpp"
#include "neat/core/executor.hpp"

namespace neat {
namespace {

using namespace std::chrono_literals;
using test::error_of;
using ::testing::HasSubstr;

class DeviceErrorsTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  ParallelExecutor executor_{ExecutorOptions{.workers = GetParam()}};
  CpuDevice cpu_{executor_, {.streams = 2}};
};

TEST_P(DeviceErrorsTest, FailedWorkSkipsTheRestUntilSynchronize) {
  Stream& s = cpu_.stream(0);
  std::atomic<int> ran{0};
  s.submit([&ran] { ran.fetch_add(1); });
  s.submit([] { throw std::runtime_error("disk on fire"); });
  s.submit([&ran] { ran.fetch_add(100); });  // skipped
  Event after(executor_);
  s.record(after);
  ASSERT_EQ(after.wait_for(60s), WaitStatus::done);
  EXPECT_NE(after.error(), nullptr);
  EXPECT_THAT(error_of([&] { after.wait(); }),
              HasSubstr("operation 'cpu0 stream 0 work item 2' failed: disk on fire"));
  try {
    s.synchronize();
    FAIL() << "synchronize did not rethrow";
  } catch (const OperationFailed& e) {
    EXPECT_THAT(e.what(), HasSubstr("disk on fire"));
    EXPECT_THROW(e.rethrow_cause(), std::runtime_error);
  }
  EXPECT_EQ(s.failure_count(), 1u);
  s.submit([&ran] { ran.fetch_add(10); });  // the error was cleared: work runs again
  EXPECT_NO_THROW(s.synchronize());
  EXPECT_EQ(ran.load(), 11);
}

TEST_P(DeviceErrorsTest, AFailedEdgeFailsTheWaitingStream) {
  std::atomic<bool> consumer_ran{false};
  cpu_.stream(0).submit([] { throw std::logic_error("bad tensor"); });
  Event produced(executor_);
  cpu_.stream(0).record(produced);
  cpu_.stream(1).wait(produced);
  cpu_.stream(1).submit([&] { consumer_ran.store(true); });
  EXPECT_THAT(error_of([&] { cpu_.synchronize(); }), HasSubstr("bad tensor"));
  EXPECT_FALSE(consumer_ran.load());
  EXPECT_EQ(cpu_.stream(1).failure_count(), 0u);  // the failure is stream 0's
  EXPECT_NO_THROW(cpu_.synchronize());            // both cleared
}

TEST_P(DeviceErrorsTest, MisuseIsRefusedAndChangesNothing) {
  Stream& s = cpu_.stream(1);
  EXPECT_THAT(error_of([&] { s.submit({}); }), HasSubstr("Stream::submit on cpu0 stream 1"));
  EXPECT_THAT(error_of([&] { s.on_idle({}); }), HasSubstr("the callback is empty"));
  Event once(executor_);
  s.record(once);
  EXPECT_THAT(error_of([&] { s.record(once); }), HasSubstr("recorded already"));
  EXPECT_THAT(error_of([&] { once.then({}); }), HasSubstr("Event::then"));
  ParallelExecutor other({.workers = 1});
  Event foreign(other);
  EXPECT_THAT(error_of([&] { s.record(foreign); }), HasSubstr("another executor"));
  EXPECT_FALSE(foreign.recorded());
  EXPECT_THAT(error_of([&] { s.wait(foreign); }), HasSubstr("Stream::wait"));
  EXPECT_THAT(error_of([&] { (void)cpu_.stream(2); }),
              HasSubstr("cpu0: stream 2 requested, the device has 2 stream(s)"));
  EXPECT_THAT(error_of([&] { CpuDevice bad(executor_, {.index = -1}); }),
              HasSubstr("index -1 is negative"));
  EXPECT_THAT(error_of([&] { CpuDevice bad(executor_, {.streams = 5000}); }),
              HasSubstr("5000 streams requested"));
  EXPECT_NO_THROW(s.synchronize());  // the stream still works
}

TEST_P(DeviceErrorsTest, WaitingForItselfIsRefused) {
  Stream& s = cpu_.stream(0);
  Event gate(executor_);
  Event later(executor_);
  std::string from_synchronize;
  std::string from_event;
  s.wait(gate);  // so that the item runs only after `later` is recorded behind it
  s.submit([&] {
    from_synchronize = error_of([&] { s.synchronize(); });
    from_event = error_of([&] { later.wait(); });
  });
  s.record(later);
  cpu_.stream(1).record(gate);
  s.synchronize();
  EXPECT_THAT(from_synchronize, HasSubstr("called from the stream's own work"));
  EXPECT_THAT(from_event, HasSubstr("would wait for itself"));
}

INSTANTIATE_TEST_SUITE_P(Workers, DeviceErrorsTest, test::k_worker_counts, test::worker_name);

}  // namespace
}  // namespace neat
