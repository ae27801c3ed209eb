// The saxpy kernel (src/cuda_kernels) on a CudaDevice stream of a real GPU: memory, copies and
// the kernel are enqueued by stream work, a second stream waits for the first through a
// GPU-side edge and copies the result back, and the numbers are checked. Built only where nvcc
// is; skips with the reason on a machine without a GPU.
#include <cuda_runtime_api.h>
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "neat/core/executor.hpp"
#include "neat/core/cuda_device.hpp"
#include "saxpy.hpp"

namespace neat {
namespace {

void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(status));
  }
}

cudaStream_t current() {
  return static_cast<cudaStream_t>(current_cuda_stream());
}

class SaxpyGpuTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // neatsched loads the runtime this test links, not a second copy of it.
    Dl_info info{};
    void* symbol = dlsym(RTLD_DEFAULT, "cudaGetDeviceCount");
    if (symbol != nullptr && dladdr(symbol, &info) != 0 && info.dli_fname != nullptr) {
      ::setenv("NEAT_CUDA_RUNTIME", info.dli_fname, 1);
    }
    gpus_ = open_cuda_devices(executor_, {.streams_per_device = 2});
    if (gpus_.devices.empty()) GTEST_SKIP() << "no CUDA GPU: " << gpus_.status;
  }

  ParallelExecutor executor_{ExecutorOptions{.workers = 2}};
  CudaDevices gpus_;
};

TEST_F(SaxpyGpuTest, KernelOnAStreamThenCopyOnAnotherAfterAnEdge) {
  constexpr std::size_t k_n = std::size_t{1} << 20;
  constexpr std::size_t k_bytes = k_n * sizeof(float);
  std::vector<float> x(k_n);
  std::vector<float> y(k_n);
  std::vector<float> result(k_n, 0.0f);
  for (std::size_t i = 0; i < k_n; ++i) {
    x[i] = static_cast<float>(i % 1000);
    y[i] = 1.0f;
  }
  Device& gpu = *gpus_.devices.front();
  float* dx = nullptr;
  float* dy = nullptr;
  gpu.stream(0).submit([&] {
    check(cudaMallocAsync(reinterpret_cast<void**>(&dx), k_bytes, current()), "malloc x");
    check(cudaMallocAsync(reinterpret_cast<void**>(&dy), k_bytes, current()), "malloc y");
    check(cudaMemcpyAsync(dx, x.data(), k_bytes, cudaMemcpyHostToDevice, current()), "copy x");
    check(cudaMemcpyAsync(dy, y.data(), k_bytes, cudaMemcpyHostToDevice, current()), "copy y");
    check(static_cast<cudaError_t>(cuda_kernels::saxpy(k_n, 2.0f, dx, dy, current())), "saxpy");
  });
  Event computed(executor_);
  gpu.stream(0).record(computed);
  gpu.stream(1).wait(computed);  // a GPU-side edge
  gpu.stream(1).submit([&] {
    check(cudaMemcpyAsync(result.data(), dy, k_bytes, cudaMemcpyDeviceToHost, current()),
          "copy back");
    check(cudaFreeAsync(dx, current()), "free x");
    check(cudaFreeAsync(dy, current()), "free y");
  });
  gpu.synchronize();  // rethrows a failed CUDA call
  for (std::size_t i = 0; i < k_n; ++i) {
    ASSERT_EQ(result[i], 2.0f * x[i] + 1.0f) << "element " << i;
  }
}

TEST(SaxpyKernel, AnEmptyLaunchNeedsNoGpu) {  // the library loads and links here too
  EXPECT_EQ(cuda_kernels::saxpy(0, 1.0f, nullptr, nullptr, nullptr), 0);
}

}  // namespace
}  // namespace neat
