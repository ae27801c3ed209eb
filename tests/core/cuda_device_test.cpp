// The CUDA device backend against the stand-in runtime (fake GPUs whose streams are threads):
// what a device reports, the stream and device that work sees, order on the host and on the
// GPU, streams in parallel, pending counts, completions on workers that never wait for a GPU.
// Edges: cuda_device_edges_test.cpp; errors and lifetime: cuda_device_errors_test.cpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#if defined(NEAT_HAVE_CUDA_LOADER)

#include <set>
#include <string>
#include <vector>

#include "core/test_support.hpp"
#include "neat/core/cpu_device.hpp"
#include "core/cuda_device_support.hpp"
#include "core/cuda_stream.hpp"

namespace neat {
namespace {

using namespace std::chrono_literals;
using test::eventually;
using test::Gate;

using CudaDeviceTest = test::CudaDeviceTest;

TEST_P(CudaDeviceTest, DescribeThemselves) {
  EXPECT_EQ(fake_.live_streams(), 8);
  std::set<void*> handles;
  for (std::size_t d = 0; d < 2; ++d) {
    EXPECT_EQ(gpu(d).kind(), DeviceKind::gpu);
    EXPECT_EQ(gpu(d).label(), "gpu" + std::to_string(d));
    EXPECT_EQ(gpu(d).name(), "Fake GPU " + std::to_string(d));
    EXPECT_EQ(gpu(d).stream_count(), 4u);
    EXPECT_EQ(gpu(d).concurrency(), 4u);
    EXPECT_EQ(&gpu(d).executor(), &executor_);
    for (std::size_t s = 0; s < 4; ++s) handles.insert(cuda_stream_of(gpu(d).stream(s)));
  }
  EXPECT_EQ(handles.size(), 8u);
  EXPECT_EQ(handles.count(nullptr), 0u);
  const DeviceMemory memory = gpu(1).memory();
  EXPECT_EQ(memory.total_bytes, std::uint64_t{32} << 30);
  EXPECT_EQ(memory.free_bytes, std::uint64_t{16} << 30);
  EXPECT_EQ(gpu(0).memory().total_bytes, std::uint64_t{16} << 30);
  EXPECT_EQ(fake_.current_device(), 0);  // open and memory() restore the caller's device
  EXPECT_EQ(current_cuda_stream(), nullptr);
  gpus_.devices.clear();
  EXPECT_EQ(fake_.live_streams(), 0);
}

TEST_P(CudaDeviceTest, WorkRunsWithItsStreamAndDeviceCurrent) {
  for (std::size_t d = 0; d < 2; ++d) {
    Stream& stream = gpu(d).stream(1);
    void* seen_stream = nullptr;
    int seen_device = -1;
    std::string own_sync;
    stream.submit([&] {
      seen_stream = current_cuda_stream();
      seen_device = fake_.current_device();
      own_sync = test::error_of([&] { stream.synchronize(); });
    });
    stream.synchronize();
    EXPECT_EQ(seen_stream, cuda_stream_of(stream));
    EXPECT_EQ(seen_device, static_cast<int>(d));
    EXPECT_THAT(own_sync, ::testing::HasSubstr("called from the stream's own work"));
  }
}

TEST_P(CudaDeviceTest, WorkRunsInOrderOnTheHostAndOnTheGpu) {
  constexpr int k_items = 3 * detail::CudaStream::k_items_per_job;  // several drain jobs
  std::vector<int> host_order;  // in-order items need no lock; nor does one GPU stream
  std::vector<int> gpu_order;
  Stream& stream = gpu(1).stream(2);
  for (int i = 0; i < k_items; ++i) {
    stream.submit([this, &host_order, &gpu_order, i] {
      host_order.push_back(i);
      ASSERT_EQ(fake_.launch(current_cuda_stream(), [&gpu_order, i] { gpu_order.push_back(i); }),
                0);
    });
  }
  stream.synchronize();
  ASSERT_EQ(host_order.size(), static_cast<std::size_t>(k_items));
  ASSERT_EQ(gpu_order, host_order);
  for (int i = 0; i < k_items; ++i) ASSERT_EQ(host_order[static_cast<std::size_t>(i)], i);
  EXPECT_EQ(stream.pending(), 0u);
  EXPECT_GE(fake_.calls("cudaLaunchHostFunc"), k_items);
}

TEST_P(CudaDeviceTest, StreamsRunInParallelOnTheGpu) {
  // Each kernel waits (bounded) for the other: both finish only if the GPU runs them at once.
  Gate a;
  Gate b;
  submit_kernel(gpu(0).stream(0), [&] {
    b.open.store(true);
    a.pass();
  });
  submit_kernel(gpu(0).stream(1), [&] {
    a.open.store(true);
    b.pass();
  });
  gpu(0).synchronize();
  EXPECT_FALSE(a.timed_out.load());
  EXPECT_FALSE(b.timed_out.load());
}

TEST_P(CudaDeviceTest, PendingCountsUntilTheGpuFinishes) {
  Gate gate;
  Stream& busy = gpu(0).stream(0);
  Event done = hold_gpu(busy, gate);
  EXPECT_EQ(busy.pending(), 2u);  // the work and the record both wait for the GPU
  EXPECT_EQ(&gpu(0).least_busy_stream(), &gpu(0).stream(1));
  EXPECT_FALSE(done.query());
  gate.open.store(true);
  ASSERT_EQ(done.wait_for(60s), WaitStatus::done);
  gpu(0).synchronize();
  EXPECT_EQ(busy.pending(), 0u);
  EXPECT_FALSE(gate.timed_out.load());
}

// With one worker, a GPU that is still busy must leave the worker free for a CPU job (which
// here is the one that lets the GPU go on): completions come back as jobs, never waited for.
TEST_P(CudaDeviceTest, NoWorkerWaitsForTheGpu) {
  Gate gate;
  Event done = hold_gpu(gpu(0).stream(0), gate);  // the GPU is busy now
  RunHandle cpu_job = executor_.submit({.name = "opens the gate"}, [&] { gate.open.store(true); });
  test::finish_within(cpu_job);
  ASSERT_EQ(done.wait_for(60s), WaitStatus::done);
  EXPECT_FALSE(gate.timed_out.load());
}

TEST_P(CudaDeviceTest, CompletionsRunOnWorkersNotOnTheGpuThread) {
  CpuDevice cpu(executor_, {.streams = 1});
  std::atomic<int> on_workers{0};
  std::atomic<int> elsewhere{0};
  auto where = [&] {
    const bool worker = executor_.current_worker() != k_not_a_worker && !fake_.on_stream_thread();
    (worker ? on_workers : elsewhere).fetch_add(1);
  };
  submit_kernel(gpu(1).stream(0), [] {});
  Event done = record_on(gpu(1).stream(0));
  done.then(where);
  cpu.stream(0).wait(done);  // resumed by the completion
  cpu.stream(0).submit(where);
  gpu(1).stream(0).on_idle(where);
  ASSERT_TRUE(eventually([&] { return on_workers.load() + elsewhere.load() == 3; }));
  EXPECT_EQ(elsewhere.load(), 0);
  cpu.synchronize();
  EXPECT_EQ(fake_.callback_violations(), 0);  // no CUDA call from a host function
}

INSTANTIATE_TEST_SUITE_P(Workers, CudaDeviceTest, test::k_cuda_worker_counts,
                         test::cuda_worker_name);

}  // namespace
}  // namespace neat

#else

TEST(CudaDevice, CompiledOut) {
  GTEST_SKIP() << "built with NEAT_CUDA=OFF: the CUDA device backend is compiled out";
}

#endif
