// The CUDA device backend on a real GPU, through the installed CUDA runtime: streams, host
// functions, events and GPU-side edges between streams and devices, without kernels (those are
// in tests/gpu, built where nvcc is). Skips with the reason on a machine without a GPU.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "neat/core/executor.hpp"
#include "neat/core/cuda_device.hpp"

namespace neat {
namespace {

using namespace std::chrono_literals;

class RealGpuTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gpus_ = open_cuda_devices(executor_, {.streams_per_device = 2});
    if (gpus_.devices.empty()) GTEST_SKIP() << "no CUDA GPU: " << gpus_.status;
  }

  ParallelExecutor executor_{ExecutorOptions{.workers = 4}};
  CudaDevices gpus_;
};

TEST_F(RealGpuTest, DescribesEveryGpu) {
  EXPECT_EQ(gpus_.status, "ok");
  for (const auto& gpu : gpus_.devices) {
    EXPECT_EQ(gpu->kind(), DeviceKind::gpu);
    EXPECT_FALSE(gpu->name().empty());
    const DeviceMemory memory = gpu->memory();
    EXPECT_GT(memory.total_bytes, 0u) << gpu->label();
    EXPECT_LE(memory.free_bytes, memory.total_bytes) << gpu->label();
    EXPECT_NE(cuda_stream_of(gpu->stream(1)), nullptr);
  }
}

TEST_F(RealGpuTest, OrderAndEdgesAcrossStreamsAndDevices) {
  constexpr int k_rounds = 500;
  Device& first = *gpus_.devices.front();
  Device& last = *gpus_.devices.back();  // the same GPU when there is only one
  std::vector<int> produced(k_rounds, 0);
  std::vector<int> seen(k_rounds, -1);
  std::atomic<int> streams_seen{0};
  for (int r = 0; r < k_rounds; ++r) {
    const auto i = static_cast<std::size_t>(r);
    first.stream(0).submit([&produced, &streams_seen, i] {
      produced[i] = 1;
      if (current_cuda_stream() != nullptr) streams_seen.fetch_add(1);
    });
    Event ready(executor_);
    first.stream(0).record(ready);
    last.stream(1).wait(ready);
    last.stream(1).submit([&produced, &seen, i] { seen[i] = produced[i]; });
  }
  first.synchronize();
  last.synchronize();
  for (int r = 0; r < k_rounds; ++r) ASSERT_EQ(seen[static_cast<std::size_t>(r)], 1) << r;
  EXPECT_EQ(streams_seen.load(), k_rounds);
}

TEST_F(RealGpuTest, EventsCompleteAndCallBack) {
  Stream& stream = gpus_.devices.front()->stream(0);
  std::atomic<bool> called{false};
  Event done(executor_);
  stream.submit([] {});
  stream.record(done);
  done.then([&called] { called.store(true); });
  ASSERT_EQ(done.wait_for(60s), WaitStatus::done);
  EXPECT_EQ(done.error(), nullptr);
  stream.synchronize();
  const auto give_up = std::chrono::steady_clock::now() + 60s;
  while (!called.load() && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
  EXPECT_TRUE(called.load());
}

}  // namespace
}  // namespace neat
