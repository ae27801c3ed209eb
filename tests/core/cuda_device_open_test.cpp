// open_cuda_devices() when it cannot open anything: a failing runtime, no GPU, a stream that
// cannot be created (nothing is left behind), bad options (nothing is done), a CPU stream
// asked for its CUDA stream. The stand-in
// runtime plays each part; a build without CUDA says so.
#include <gtest/gtest.h>

#include "core/test_support.hpp"
#include "neat/core/cpu_device.hpp"
#include "neat/core/executor.hpp"
#include "neat/core/cuda_device.hpp"

#if defined(NEAT_HAVE_CUDA_LOADER)
#include "resources/fake_cudart/fake_cudart_control.hpp"
#endif

namespace neat {
namespace {

using test::error_of;

TEST(CudaDeviceOpen, BadOptionsAreRefusedBeforeAnythingIsDone) {
  ParallelExecutor executor({.workers = 1});
  for (std::size_t streams : {std::size_t{0}, std::size_t{1025}}) {
    EXPECT_EQ(
        error_of([&] { (void)open_cuda_devices(executor, {.streams_per_device = streams}); }),
        "open_cuda_devices: streams_per_device is " + std::to_string(streams) + "; use 1 to 1024");
  }
  EXPECT_EQ(current_cuda_stream(), nullptr);
}

TEST(CudaDeviceOpen, CudaStreamOfACpuStreamIsRefused) {
  ParallelExecutor executor({.workers = 1});
  CpuDevice cpu(executor, {.streams = 1});
  EXPECT_EQ(error_of([&] { (void)cuda_stream_of(cpu.stream(0)); }),
            "cuda_stream_of: cpu0 stream 0 is not a CUDA stream");
}

#if defined(NEAT_HAVE_CUDA_LOADER)

TEST(CudaDeviceOpen, AnyFailureMeansNoDevicesAndTheReason) {
  test::FakeCudart fake;
  ParallelExecutor executor({.workers = 2});
  struct Case {
    int devices;
    const char* call;
    int device;
    int successes;  // of `call` before it fails
    const char* status;
  };
  for (const Case& c : {
           Case{2, "cudaGetDeviceCount", -1, 0, "cudaGetDeviceCount failed: fake error (error 2)"},
           Case{0, "", -1, 0, "the CUDA runtime reports no devices"},
           Case{3, "cudaGetDeviceProperties", 2, 0,
                "cudaGetDeviceProperties(2) failed: fake error (error 2)"},
           // Device 0 is selected twice while listing the GPUs, the third time to open it.
           Case{2, "cudaSetDevice", 0, 2, "cudaSetDevice failed on gpu0: fake error (error 2)"},
           Case{2, "cudaStreamCreate", 1, 1,
                "cudaStreamCreate failed on gpu1 (stream 1 of 4): fake error (error 2)"},
       }) {
    fake.configure(c.devices, c.call, c.device, 2, c.successes);
    const CudaDevices opened = open_cuda_devices(executor);
    EXPECT_TRUE(opened.devices.empty()) << c.call;
    EXPECT_EQ(opened.status, c.status);
    EXPECT_EQ(fake.live_streams(), 0) << c.call;  // what was made is destroyed again
    EXPECT_EQ(fake.current_device(), 0) << c.call;
  }
}

TEST(CudaDeviceOpen, OpensWithTheStreamsAskedFor) {
  test::FakeCudart fake;
  ParallelExecutor executor({.workers = 2});
  fake.configure(3);
  const CudaDevices opened = open_cuda_devices(executor, {.streams_per_device = 1});
  EXPECT_EQ(opened.status, "ok");
  ASSERT_EQ(opened.devices.size(), 3u);
  EXPECT_EQ(opened.devices[2]->label(), "gpu2");
  EXPECT_EQ(opened.devices[2]->stream_count(), 1u);
  EXPECT_EQ(fake.live_streams(), 3);
}

#else

TEST(CudaDeviceOpen, BuiltWithoutCuda) {
  ParallelExecutor executor({.workers = 1});
  const CudaDevices opened = open_cuda_devices(executor);
  EXPECT_TRUE(opened.devices.empty());
  EXPECT_EQ(opened.status, "built without CUDA support");
}

#endif

}  // namespace
}  // namespace neat
