// The CUDA runtime loader: no runtime, a library that is not one, a missing symbol, and — with
// a stand-in runtime (fake_cudart) — devices, errors of each call, and the hardware report.
// A real GPU is never needed; where this machine has a CUDA runtime, the tests that need its
// absence skip with a message.
#include <dlfcn.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "neat/resources/hardware_profile.hpp"

#if defined(NEAT_HAVE_CUDA_LOADER)
#include "resources/cuda_runtime_loader.hpp"
#endif

namespace neat {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(CudaLoader, BuildReportsWhetherItLooksForGpus) {
  const HardwareProfile hw = detect_hardware({.backend = HardwareBackend::sysfs});
  if (!cuda_available()) {
    EXPECT_EQ(hw.gpu_status, "built without CUDA support");
    EXPECT_TRUE(hw.gpus.empty());
    return;
  }
  EXPECT_EQ(hw.gpus.empty(), hw.gpu_status != "ok") << hw.gpu_status;
}

#if defined(NEAT_HAVE_CUDA_LOADER)

using detail::CudaLoad;
using detail::GpuReport;
using detail::load_cuda_runtime;

TEST(CudaLoader, NotFoundNamesEveryLibraryTried) {
  const CudaLoad load = load_cuda_runtime({"libneat-no-cudart.so", "libneat-no-cudart.so.12"});
  EXPECT_EQ(load.runtime, nullptr);
  EXPECT_EQ(load.error,
            "CUDA runtime not found: tried libneat-no-cudart.so, libneat-no-cudart.so.12");
}

TEST(CudaLoader, AFileThatIsNotALibraryIsNamedWithItsError) {
  const std::string readme = std::string(NEAT_SOURCE_DIR) + "/README.md";
  const CudaLoad load = load_cuda_runtime({readme});
  EXPECT_EQ(load.runtime, nullptr);
  EXPECT_THAT(load.error, StartsWith("CUDA runtime not found: tried " + readme + " (" + readme));
}

TEST(CudaLoader, ALibraryWithoutTheEntryPointsIsRefused) {
  const CudaLoad load = load_cuda_runtime({"libm.so.6"});
  EXPECT_EQ(load.runtime, nullptr);
  EXPECT_EQ(load.error, "CUDA runtime libm.so.6: symbol cudaGetDeviceCount not found");
}

TEST(CudaLoader, CandidatesStartWithTheEnvironmentsChoice) {
  ::unsetenv("NEAT_CUDA_RUNTIME");
  EXPECT_THAT(detail::cuda_runtime_candidates(),
              ::testing::ElementsAre("libcudart.so", "libcudart.so.13", "libcudart.so.12",
                                     "libcudart.so.11.0"));
  ::setenv("NEAT_CUDA_RUNTIME", "/opt/cuda/libcudart.so", 1);
  EXPECT_EQ(detail::cuda_runtime_candidates().front(), "/opt/cuda/libcudart.so");
  EXPECT_EQ(detail::cuda_runtime_candidates().size(), 5u);
  ::unsetenv("NEAT_CUDA_RUNTIME");
}

TEST(CudaLoader, HardwareReportWithoutARuntime) {
  ::unsetenv("NEAT_CUDA_RUNTIME");
  const CudaLoad installed = load_cuda_runtime(detail::cuda_runtime_candidates());
  if (installed.runtime)
    GTEST_SKIP() << "a CUDA runtime is installed: " << installed.runtime->library;
  const HardwareProfile hw = detect_hardware({.backend = HardwareBackend::sysfs});
  EXPECT_TRUE(hw.gpus.empty());
  EXPECT_THAT(hw.gpu_status,
              StartsWith("CUDA runtime not found: tried libcudart.so, libcudart.so.13"));
  EXPECT_THAT(format_hardware_profile(hw),
              HasSubstr("GPUs                  0 (CUDA runtime not found"));
}

TEST(CudaLoader, HardwareReportWithTheInstalledRuntime) {
  ::unsetenv("NEAT_CUDA_RUNTIME");
  const CudaLoad installed = load_cuda_runtime(detail::cuda_runtime_candidates());
  if (!installed.runtime) GTEST_SKIP() << "no CUDA runtime is installed: " << installed.error;
  const HardwareProfile hw = detect_hardware({.backend = HardwareBackend::sysfs});
  if (hw.gpus.empty()) {  // no GPU or no driver: the call that failed, with CUDA's words
    const std::string& status = hw.gpu_status;
    const bool call_failed = status.starts_with("cuda") &&
                             status.find(" failed: ") != std::string::npos &&
                             status.find(" (error ") != std::string::npos;
    EXPECT_TRUE(call_failed || status == "the CUDA runtime reports no devices") << status;
  } else {
    EXPECT_EQ(hw.gpu_status, "ok");
    EXPECT_FALSE(hw.gpus.front().name.empty());
    EXPECT_GT(hw.gpus.front().total_bytes, 0u);
  }
}

TEST(CudaLoader, ErrorTextWithoutTheRuntimesText) {
  EXPECT_EQ(detail::CudaRuntime{}.error_text(3), "unknown error (error 3)");
}

// The stand-in runtime, configured through its own entry point.
class FakeRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    load_ = load_cuda_runtime({NEAT_FAKE_CUDART_PATH});
    ASSERT_NE(load_.runtime, nullptr) << load_.error;
    handle_ = dlopen(NEAT_FAKE_CUDART_PATH, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(handle_, nullptr);
    configure_ = reinterpret_cast<Configure>(dlsym(handle_, "fake_cudart_configure"));
    ASSERT_NE(configure_, nullptr);
  }
  void TearDown() override {
    if (handle_ != nullptr) dlclose(handle_);
  }
  GpuReport list(int devices, const char* call = "", int device = -1, int error = 0) {
    configure_(devices, call, device, error);
    return detail::list_cuda_gpus(*load_.runtime);
  }

  using Configure = void (*)(int, const char*, int, int);
  CudaLoad load_;
  void* handle_ = nullptr;
  Configure configure_ = nullptr;
};

TEST_F(FakeRuntimeTest, ListsDevicesWithNameAndMemory) {
  EXPECT_EQ(load_.runtime->library, NEAT_FAKE_CUDART_PATH);
  const GpuReport report = list(2);
  EXPECT_EQ(report.status, "ok");
  ASSERT_EQ(report.gpus.size(), 2u);
  EXPECT_EQ(report.gpus[1].index, 1);
  EXPECT_EQ(report.gpus[1].name, "Fake GPU 1");
  EXPECT_EQ(report.gpus[1].total_bytes, std::uint64_t{32} << 30);
  EXPECT_EQ(report.gpus[1].free_bytes, std::uint64_t{16} << 30);
  const detail::CudaRuntimeApi& api = load_.runtime->api;
  int current = -1;
  EXPECT_EQ(api.get_device(&current), 0);
  EXPECT_EQ(current, 0);                  // restored after visiting device 1
  EXPECT_NE(api.stream_create, nullptr);  // the seam of a CUDA stream backend
  EXPECT_NE(api.launch_host_func, nullptr);
  EXPECT_NE(api.event_query, nullptr);
}

TEST_F(FakeRuntimeTest, AnyCudaErrorMeansNoGpusAndTheReason) {
  struct Case {
    int devices;
    const char* call;
    int device;
    int error;
    const char* status;
  };
  for (const Case& c : {
           Case{2, "cudaGetDeviceCount", -1, 35,
                "cudaGetDeviceCount failed: fake error (error 35)"},
           Case{0, "", -1, 0, "the CUDA runtime reports no devices"},
           Case{2, "cudaGetDevice", -1, 3, "cudaGetDevice failed: fake error (error 3)"},
           Case{2, "cudaSetDevice", 1, 101,
                "cudaSetDevice(1) failed: invalid device ordinal (error 101)"},
           Case{3, "cudaGetDeviceProperties", 2, 101,
                "cudaGetDeviceProperties(2) failed: invalid device ordinal (error 101)"},
           Case{2, "cudaMemGetInfo", 0, 2, "cudaMemGetInfo(0) failed: fake error (error 2)"},
       }) {
    const GpuReport report = list(c.devices, c.call, c.device, c.error);
    EXPECT_TRUE(report.gpus.empty()) << c.call;
    EXPECT_EQ(report.status, c.status);
  }
}

TEST_F(FakeRuntimeTest, HardwareReportThroughTheEnvironment) {
  configure_(2, "", -1, 0);
  ::setenv("NEAT_CUDA_RUNTIME", NEAT_FAKE_CUDART_PATH, 1);
  const HardwareProfile hw = detect_hardware({.backend = HardwareBackend::sysfs});
  ::unsetenv("NEAT_CUDA_RUNTIME");
  EXPECT_EQ(hw.gpu_status, "ok");
  ASSERT_EQ(hw.gpus.size(), 2u);
  const std::string text = format_hardware_profile(hw);
  EXPECT_THAT(text, HasSubstr("GPUs                  2 (ok)\n"));
  EXPECT_THAT(text, HasSubstr("GPU 1                 Fake GPU 1, memory 32 GiB (16 GiB free)\n"));
}

#else

TEST(CudaLoader, CompiledOut) {
  GTEST_SKIP() << "built with NEAT_CUDA=OFF: the CUDA runtime loader is compiled out";
}

#endif

}  // namespace
}  // namespace neat
