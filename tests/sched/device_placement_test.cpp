// DevicePlacer: earliest predicted finish between a CPU and a fake GPU (a test-only Device
// whose streams run on the CPU) whose profile and backlog the tests control.
#include "neat/sched/device_placement.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "neat/common/error.hpp"
#include "neat/core/cpu_device.hpp"
#include "neat/core/executor.hpp"
#include "sched/fake_device.hpp"

namespace neat {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

using test::FakeGpu;

constexpr double k_size = 64;
const Footprint k_footprint{k_size};

class PlacementTest : public ::testing::Test {
 protected:
  PlacementTest() {
    for (int i = 0; i < 3; ++i) {
      profiler_.record("gemm@cpu0", {k_size}, Microseconds(100));
      profiler_.record("gemm@gpu0", {k_size}, Microseconds(10));
    }
  }
  PlacementRequest gemm(DeviceAffinity affinity = DeviceAffinity::any) const {
    return {.kind = "gemm", .footprint = k_footprint, .affinity = affinity};
  }

  ParallelExecutor executor_{ExecutorOptions{.workers = 2}};
  CpuDevice cpu_{executor_, {.streams = 1}};  // concurrency 1
  FakeGpu gpu_{executor_, 1};
  PerformanceProfiler profiler_{ProfilerOptions{.hardware = "test"}};
  DevicePlacer placer_{profiler_, {&cpu_, &gpu_}};
};

TEST_F(PlacementTest, ChoiceFlipsWhenTheGpuBacklogGrows) {
  std::vector<Placement> on_gpu;
  // The GPU finishes first (10 us) until its queue reaches the CPU's 100 us: 9 placements
  // (finishes 10..90), then the tie at 100 goes to the CPU, listed first.
  for (int i = 0; i < 9; ++i) {
    Placement p = placer_.place(gemm());
    ASSERT_EQ(p.device, &gpu_) << i << ": " << p.reason;
    EXPECT_DOUBLE_EQ(p.queue_us, 10.0 * i);
    EXPECT_DOUBLE_EQ(p.finish_us, 10.0 * i + 10.0);
    on_gpu.push_back(p);
  }
  EXPECT_DOUBLE_EQ(placer_.backlog_us(gpu_), 90.0);
  const Placement flipped = placer_.place(gemm());
  EXPECT_EQ(flipped.device, &cpu_);
  EXPECT_THAT(flipped.reason,
              StartsWith("cpu0: 100.0 us = queue 0.0 + run 100.0 (profile gemm@cpu0) has the "
                         "earliest predicted finish; gpu0: 100.0 us = queue 90.0 + run 10.0"));
  for (const Placement& p : on_gpu) placer_.finished(p);  // the GPU drained
  EXPECT_DOUBLE_EQ(placer_.backlog_us(gpu_), 0.0);
  EXPECT_EQ(placer_.place(gemm()).device, &gpu_);
  EXPECT_EQ(placer_.decisions().size(), 11u);
}

TEST(Placement, ConcurrencyDividesTheBacklog) {
  ParallelExecutor executor({.workers = 1});
  CpuDevice cpu(executor, {.streams = 1});
  FakeGpu gpu(executor, 3);
  PerformanceProfiler profiler({.hardware = "test"});
  profiler.record("fft@cpu0", {k_size}, Microseconds(100));
  profiler.record("fft@gpu0", {k_size}, Microseconds(30));
  DevicePlacer placer(profiler, {&cpu, &gpu});
  int on_gpu = 0;
  while (placer.place({.kind = "fft", .footprint = k_footprint}).device == &gpu) ++on_gpu;
  // The n-th GPU placement finishes at 30 * n / 3 + 30: below 100 for n = 0..6, a tie at 7.
  // (With concurrency 1 it would be 3.)
  EXPECT_EQ(on_gpu, 7);
}

TEST_F(PlacementTest, AffinityRestrictsTheCandidates) {
  EXPECT_EQ(placer_.place(gemm(DeviceAffinity::cpu)).device, &cpu_);
  EXPECT_EQ(placer_.place(gemm(DeviceAffinity::cuda)).device, &gpu_);
  DevicePlacer cpu_only(profiler_, {&cpu_});
  try {
    (void)cpu_only.place(gemm(DeviceAffinity::cuda));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("operation 'gemm' needs a cuda device; the placer has cpu0"));
  }
  EXPECT_TRUE(cpu_only.decisions().empty());
}

TEST_F(PlacementTest, FallbacksWithoutAProfile) {
  // Nothing known anywhere: the CPU, adding nothing to its backlog.
  const Placement unknown = placer_.place({.kind = "conv", .footprint = k_footprint});
  EXPECT_EQ(unknown.device, &cpu_);
  EXPECT_THAT(unknown.reason, HasSubstr("no candidate has a known run time"));
  EXPECT_THAT(unknown.reason, HasSubstr("gpu0: unknown (no profile or cost hint)"));
  EXPECT_DOUBLE_EQ(placer_.backlog_us(cpu_), 0.0);
  // A cost hint for both: equal run times, so the queues decide.
  const PlacementRequest hinted{.kind = "conv", .footprint = k_footprint, .cost_hint_us = 50};
  EXPECT_EQ(placer_.place(hinted).device, &cpu_);
  const Placement second = placer_.place(hinted);
  EXPECT_EQ(second.device, &gpu_);
  EXPECT_THAT(second.reason, HasSubstr("(cost hint)"));
  // Only the GPU profiled: the CPU (unknown) is left out.
  profiler_.record("attn@gpu0", {k_size}, Microseconds(500));
  EXPECT_EQ(placer_.place({.kind = "attn", .footprint = k_footprint}).device, &gpu_);
  // A kind profiled without a device counts for the CPU.
  profiler_.record("attn", {k_size}, Microseconds(5));
  const Placement plain = placer_.place({.kind = "attn", .footprint = k_footprint});
  EXPECT_EQ(plain.device, &cpu_);
  EXPECT_THAT(plain.reason, HasSubstr("(profile attn)"));
}

TEST(Placement, FallsBackToTheFirstDeviceWithoutACpu) {
  ParallelExecutor executor({.workers = 1});
  FakeGpu gpu(executor, 1);
  PerformanceProfiler profiler({.hardware = "test"});
  DevicePlacer placer(profiler, {&gpu});
  EXPECT_EQ(placer.place({.kind = "x", .footprint = k_footprint}).device, &gpu);
}

}  // namespace
}  // namespace neat
