// CpuDevice streams and events: order within a stream, streams in parallel, edges between
// streams, callbacks on workers, and no worker held by a waiting stream (so a single worker
// never deadlocks). Every wait is bounded. Errors and misuse: device_errors_test.cpp.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "core/device_cpu_stream.hpp"
#include "core/test_support.hpp"
#include "neat/core/cpu_device.hpp"
#include "neat/core/executor.hpp"

namespace neat {
namespace {

using namespace std::chrono_literals;

/// Wait with a bound, so that a hang fails the test instead of stalling the suite.
void finish_within(const Event& event) {
  ASSERT_EQ(event.wait_for(60s), WaitStatus::done) << "event did not complete within 60 s";
}

class DeviceTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  ParallelExecutor executor_{ExecutorOptions{.workers = GetParam()}};
  CpuDevice cpu_{executor_, {.streams = 4}};

  Event record_on(Stream& stream) {
    Event event(executor_);
    stream.record(event);
    return event;
  }
};

TEST_P(DeviceTest, DescribesItself) {
  EXPECT_EQ(cpu_.kind(), DeviceKind::cpu);
  EXPECT_EQ(to_string(cpu_.kind()), "cpu");
  EXPECT_EQ(to_string(DeviceKind::gpu), "gpu");
  EXPECT_EQ(cpu_.label(), "cpu0");
  EXPECT_EQ(cpu_.name(), "cpu");
  EXPECT_EQ(cpu_.stream_count(), 4u);
  EXPECT_EQ(cpu_.concurrency(), std::min<std::size_t>(4, GetParam()));
  EXPECT_EQ(&cpu_.executor(), &executor_);
  const DeviceMemory memory = cpu_.memory();
  EXPECT_GT(memory.total_bytes, 0u);
  EXPECT_LE(memory.free_bytes, memory.total_bytes);
  EXPECT_EQ(cpu_.stream(2).index(), 2u);
  EXPECT_EQ(&cpu_.stream(2).device(), &cpu_);
  CpuDevice per_worker(executor_, {.index = 1, .name = "host"});
  EXPECT_EQ(per_worker.stream_count(), GetParam());
  EXPECT_EQ(per_worker.label(), "cpu1");
}

TEST_P(DeviceTest, WorkRunsInOrderWithinAStream) {
  constexpr int k_items = 3 * detail::CpuStream::k_items_per_job;  // several drain jobs' share
  std::vector<int> order;                                          // in-order items need no lock
  Stream& stream = cpu_.stream(0);
  for (int i = 0; i < k_items; ++i) stream.submit([&order, i] { order.push_back(i); });
  finish_within(record_on(stream));
  ASSERT_EQ(order.size(), static_cast<std::size_t>(k_items));
  for (int i = 0; i < k_items; ++i) ASSERT_EQ(order[static_cast<std::size_t>(i)], i);
  EXPECT_EQ(stream.pending(), 0u);
}

TEST_P(DeviceTest, StreamsRunInParallel) {
  if (GetParam() < 2) GTEST_SKIP() << "needs two workers";
  // Each item waits (bounded) for the other: both finish only if they run at the same time.
  std::atomic<bool> a_started{false};
  std::atomic<bool> b_started{false};
  std::atomic<bool> met{true};
  auto rendezvous = [&met](std::atomic<bool>& mine, const std::atomic<bool>& other) {
    mine.store(true);
    const auto give_up = std::chrono::steady_clock::now() + 30s;
    while (!other.load()) {
      if (std::chrono::steady_clock::now() > give_up) {
        met.store(false);
        return;
      }
      std::this_thread::yield();
    }
  };
  cpu_.stream(0).submit([&] { rendezvous(a_started, b_started); });
  cpu_.stream(1).submit([&] { rendezvous(b_started, a_started); });
  finish_within(record_on(cpu_.stream(0)));
  finish_within(record_on(cpu_.stream(1)));
  EXPECT_TRUE(met.load());
}

TEST_P(DeviceTest, EventsOrderWorkAcrossStreams) {
  constexpr int k_rounds = 200;
  std::vector<int> produced(k_rounds, 0);
  std::vector<int> seen(k_rounds, -1);
  for (int r = 0; r < k_rounds; ++r) {
    Stream& producer = cpu_.stream(static_cast<std::size_t>(r) % 2);
    Stream& consumer = cpu_.stream(2 + static_cast<std::size_t>(r) % 2);
    const auto i = static_cast<std::size_t>(r);
    producer.submit([&produced, i] { produced[i] = 1; });
    Event ready = record_on(producer);
    consumer.wait(ready);
    consumer.submit([&produced, &seen, i] { seen[i] = produced[i]; });
  }
  cpu_.synchronize();
  for (int r = 0; r < k_rounds; ++r) ASSERT_EQ(seen[static_cast<std::size_t>(r)], 1) << r;
}

TEST_P(DeviceTest, WaitingStreamHoldsNoWorker) {
  // Stream 0 waits for an event that only a later executor job records: with one worker this
  // completes only if the waiting stream gives its worker back.
  Event gate(executor_);
  std::atomic<bool> after_gate{false};
  cpu_.stream(0).wait(gate);
  cpu_.stream(0).submit([&] { after_gate.store(true); });
  EXPECT_EQ(cpu_.stream(0).pending(), 2u);
  EXPECT_EQ(&cpu_.least_busy_stream(), &cpu_.stream(1));
  RunHandle opener = executor_.submit({.name = "opener"}, [&] {
    cpu_.stream(1).submit([] {});
    cpu_.stream(1).record(gate);
  });
  test::finish_within(opener);
  cpu_.stream(0).synchronize();
  EXPECT_TRUE(gate.query());
  EXPECT_TRUE(after_gate.load());
  EXPECT_EQ(cpu_.stream(0).pending(), 0u);
}

TEST_P(DeviceTest, WaitInsideAWorkerHelps) {
  std::atomic<int> done{0};
  RunHandle run = executor_.submit({.name = "waiter"}, [&] {
    for (int i = 0; i < 50; ++i) cpu_.stream(1).submit([&done] { done.fetch_add(1); });
    Event marker(executor_);
    cpu_.stream(1).record(marker);
    marker.wait();  // one worker: only helping runs the stream's items
    cpu_.stream(2).submit([&done] { done.fetch_add(1); });
    cpu_.stream(2).synchronize();
  });
  test::finish_within(run);
  run.wait();
  EXPECT_EQ(done.load(), 51);
}

TEST_P(DeviceTest, CallbacksRunOnWorkers) {
  std::promise<std::size_t> first;
  std::promise<std::size_t> second;
  std::promise<std::size_t> idle;
  Event event(executor_);
  event.then([&] { first.set_value(executor_.current_worker()); });  // before it is recorded
  cpu_.stream(0).submit([] {});
  cpu_.stream(0).record(event);
  cpu_.stream(0).on_idle([&] { idle.set_value(executor_.current_worker()); });
  finish_within(event);
  event.then([&] { second.set_value(executor_.current_worker()); });  // after completion
  for (std::promise<std::size_t>* p : {&first, &second, &idle}) {
    std::future<std::size_t> f = p->get_future();
    ASSERT_EQ(f.wait_for(60s), std::future_status::ready);
    EXPECT_LT(f.get(), GetParam());  // a worker index, not k_not_a_worker
  }
}

TEST_P(DeviceTest, UnrecordedEventTimesOut) {
  Event never(executor_);
  EXPECT_FALSE(never.recorded());
  EXPECT_FALSE(never.query());
  EXPECT_EQ(never.wait_for(10ms), WaitStatus::timeout);
  EXPECT_EQ(never.error(), nullptr);
  RunHandle run = executor_.submit({}, [&] {  // the same from a worker, which helps meanwhile
    EXPECT_EQ(never.wait_for(10ms), WaitStatus::timeout);
  });
  test::finish_within(run);
}

TEST_P(DeviceTest, DestructorFinishesTheWork) {
  std::atomic<int> done{0};
  {
    CpuDevice device(executor_, {.streams = 3});
    Event edge(executor_);
    device.stream(2).wait(edge);
    device.stream(2).submit([&done] { done.fetch_add(1); });
    for (std::size_t s = 0; s < 2; ++s) {
      for (int i = 0; i < 100; ++i) device.stream(s).submit([&done] { done.fetch_add(1); });
    }
    device.stream(1).record(edge);
  }
  EXPECT_EQ(done.load(), 201);
}

TEST_P(DeviceTest, DestructorOnAWorkerHelps) {
  std::atomic<int> done{0};
  RunHandle run = executor_.submit({.name = "owner"}, [&] {
    CpuDevice device(executor_, {.streams = 2});
    for (int i = 0; i < 100; ++i) device.stream(i % 2).submit([&done] { done.fetch_add(1); });
  });  // one worker: the destructor must run the streams' jobs itself
  test::finish_within(run);
  run.wait();
  EXPECT_EQ(done.load(), 100);
}

TEST_P(DeviceTest, ManyStreamsWithRandomEdges) {
  CpuDevice device(executor_, {.streams = 8});
  std::atomic<int> done{0};
  std::vector<Event> events;
  for (int i = 0; i < 400; ++i) {
    Stream& s = device.stream(static_cast<std::size_t>(i * 7) % 8);
    if (!events.empty() && i % 3 == 0) {
      s.wait(events[static_cast<std::size_t>(i * 13) % events.size()]);
    }
    s.submit([&done] { done.fetch_add(1); });
    if (i % 5 == 0) events.push_back(record_on(s));
  }
  for (const Event& e : events) finish_within(e);
  device.synchronize();
  EXPECT_EQ(done.load(), 400);
}

INSTANTIATE_TEST_SUITE_P(Workers, DeviceTest, test::k_worker_counts, test::worker_name);

}  // namespace
}  // namespace neat
