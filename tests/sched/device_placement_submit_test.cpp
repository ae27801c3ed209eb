// DevicePlacer: submit() runs the work on the chosen device and feeds the profiler; bad input
// is refused and changes nothing; concurrent placements keep the backlog consistent.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/test_support.hpp"
#include "neat/common/error.hpp"
#include "neat/core/cpu_device.hpp"
#include "neat/core/executor.hpp"
#include "neat/sched/device_placement.hpp"
#include "sched/fake_device.hpp"

namespace neat {
namespace {

using namespace std::chrono_literals;
using test::error_of;
using ::testing::HasSubstr;

const Footprint k_footprint{64};

class PlacementSubmitTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  ParallelExecutor executor_{ExecutorOptions{.workers = GetParam()}};
  CpuDevice cpu_{executor_, {.streams = 2}};
  test::FakeGpu gpu_{executor_, 1};
  PerformanceProfiler profiler_{ProfilerOptions{.hardware = "test"}};
  DevicePlacer placer_{profiler_, {&cpu_, &gpu_}};
};

TEST_P(PlacementSubmitTest, SubmitRunsOnTheChosenDeviceAndRecordsItsTime) {
  profiler_.record("gemm@gpu0", k_footprint, Microseconds(10));
  std::atomic<Device*> ran_on{nullptr};
  const Placement p = placer_.submit({.kind = "gemm", .footprint = k_footprint},
                                     [&ran_on](Device& d) { ran_on.store(&d); });
  ASSERT_EQ(p.device, &gpu_);
  ASSERT_NE(p.stream, nullptr);
  EXPECT_EQ(&p.stream->device(), &gpu_);
  p.stream->synchronize();
  EXPECT_EQ(ran_on.load(), &gpu_);
  EXPECT_DOUBLE_EQ(placer_.backlog_us(gpu_), 0.0);
  for (const KindReport& k : profiler_.report().kinds) {
    if (k.kind == "gemm@gpu0") {
      EXPECT_EQ(k.samples, 2u);  // the seed sample and this run
    }
  }
}

TEST_P(PlacementSubmitTest, FailedWorkReleasesTheBacklogAndRecordsNothing) {
  const Placement p = placer_.submit({.kind = "conv", .footprint = k_footprint, .cost_hint_us = 40},
                                     [](Device&) { throw std::runtime_error("kernel fault"); });
  EXPECT_EQ(p.device, &cpu_);
  EXPECT_THAT(error_of([&] { p.stream->synchronize(); }), HasSubstr("kernel fault"));
  EXPECT_DOUBLE_EQ(placer_.backlog_us(cpu_), 0.0);
  EXPECT_FALSE(profiler_.predict_us("conv@cpu0", k_footprint).has_value());
  EXPECT_THAT(error_of([&] { placer_.finished(p); }), HasSubstr("is not outstanding"));
}

TEST_P(PlacementSubmitTest, BadInputIsRefusedAndChangesNothing) {
  profiler_.record("gemm@cpu0", k_footprint, Microseconds(10));
  EXPECT_THAT(error_of([&] { (void)placer_.place({.kind = "", .footprint = k_footprint}); }),
              HasSubstr("the operation kind is empty"));
  EXPECT_THAT(error_of([&] {
                (void)placer_.place({.kind = "g", .footprint = k_footprint, .cost_hint_us = -1});
              }),
              HasSubstr("operation 'g': cost hint -1 us is not a finite number >= 0"));
  const Footprint two_d{1, 2};
  EXPECT_THAT(error_of([&] { (void)placer_.place({.kind = "gemm", .footprint = two_d}); }),
              HasSubstr("gemm@cpu0"));
  EXPECT_THAT(
      error_of([&] { (void)placer_.submit({.kind = "gemm", .footprint = k_footprint}, {}); }),
      HasSubstr("the work is empty"));
  EXPECT_TRUE(placer_.decisions().empty());
  EXPECT_DOUBLE_EQ(placer_.backlog_us(cpu_), 0.0);

  const Placement p = placer_.place({.kind = "gemm", .footprint = k_footprint});
  EXPECT_THAT(error_of([&] { placer_.finished(p, Microseconds(-5)); }),
              HasSubstr("measured time -5 us is not a finite number >= 0"));
  EXPECT_DOUBLE_EQ(placer_.backlog_us(cpu_), 10.0);  // still outstanding
  placer_.finished(p, Microseconds(12));
  EXPECT_THAT(error_of([&] { placer_.finished(p); }), HasSubstr("placement 1 of 'gemm'"));
  CpuDevice other(executor_, {.streams = 1, .index = 5});
  EXPECT_EQ(placer_.backlog_us(other), 0.0);
}

TEST_P(PlacementSubmitTest, BadDeviceListsAreRefused) {
  EXPECT_THAT(error_of([&] { DevicePlacer p(profiler_, {}); }), HasSubstr("no devices"));
  EXPECT_THAT(error_of([&] {
                DevicePlacer p(profiler_, {&cpu_, nullptr});
              }),
              HasSubstr("device 1 is null"));
  CpuDevice twin(executor_, {.streams = 1});  // also labelled cpu0
  EXPECT_THAT(error_of([&] {
                DevicePlacer p(profiler_, {&cpu_, &twin});
              }),
              HasSubstr("devices 0 and 1 are both cpu0"));
}

TEST_P(PlacementSubmitTest, TheLogKeepsTheLastDecisions) {
  for (std::size_t i = 0; i < k_placement_log_size + 10; ++i) {
    placer_.finished(placer_.place({.kind = "noop", .footprint = k_footprint}));
  }
  const std::vector<Placement> log = placer_.decisions();
  ASSERT_EQ(log.size(), k_placement_log_size);
  EXPECT_EQ(log.front().id, 11u);
  EXPECT_EQ(log.back().id, k_placement_log_size + 10);
}

TEST_P(PlacementSubmitTest, ConcurrentSubmissionsKeepTheBacklogConsistent) {
  profiler_.record("mix@cpu0", k_footprint, Microseconds(20));
  profiler_.record("mix@gpu0", k_footprint, Microseconds(20));
  std::atomic<int> ran{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        (void)placer_.submit({.kind = "mix", .footprint = k_footprint},
                             [&ran](Device&) { ran.fetch_add(1); });
      }
    });
  }
  for (std::thread& t : threads) t.join();
  cpu_.synchronize();
  gpu_.synchronize();
  EXPECT_EQ(ran.load(), 200);
  EXPECT_DOUBLE_EQ(placer_.backlog_us(cpu_), 0.0);
  EXPECT_DOUBLE_EQ(placer_.backlog_us(gpu_), 0.0);
}

INSTANTIATE_TEST_SUITE_P(Workers, PlacementSubmitTest, test::k_worker_counts, test::worker_name);

}  // namespace
}  // namespace neat
