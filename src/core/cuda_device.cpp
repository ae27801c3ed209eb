// CUDA GPUs as Devices: open_cuda_devices(), the device (streams, memory) and the native stream
// of a neat Stream. With NEAT_CUDA=OFF only the stubs are compiled. [core.device.cuda]
#include "neat/core/cuda_device.hpp"

#include <fmt/format.h>

#include "neat/common/error.hpp"
#include "core/cuda_stream.hpp"

#if defined(NEAT_HAVE_CUDA_LOADER)
#include <optional>

#include "neat/core/executor.hpp"
#endif

namespace neat {
namespace detail {

void*& current_cuda_stream_slot() noexcept {
  thread_local void* stream = nullptr;
  return stream;
}

}  // namespace detail

namespace {

constexpr std::size_t k_max_streams_per_device = 1024;

void check_options(const CudaDeviceOptions& options) {
  if (options.streams_per_device == 0 || options.streams_per_device > k_max_streams_per_device) {
    throw Error(fmt::format("open_cuda_devices: streams_per_device is {}; use 1 to {}",
                            options.streams_per_device, k_max_streams_per_device));
  }
}

}  // namespace

void* current_cuda_stream() noexcept {
  return detail::current_cuda_stream_slot();
}

#if defined(NEAT_HAVE_CUDA_LOADER)

namespace detail {
namespace {

class CudaDevice final : public Device {
 public:
  CudaDevice(ParallelExecutor& executor, const std::shared_ptr<CudaContext>& context,
             const GpuDevice& gpu, const std::vector<void*>& handles, ExecutionPriority priority)
      : Device(DeviceKind::gpu, gpu.index, gpu.name, executor),
        context_(context),
        events_(std::make_shared<CudaEventPool>(context->runtime_ptr())) {
    streams_.reserve(handles.size());
    for (std::size_t i = 0; i < handles.size(); ++i) {
      streams_.push_back(
          std::make_unique<CudaStream>(*this, i, context, events_, handles[i], priority));
    }
  }
  ~CudaDevice() override {
    // Every stream first: a stream may wait for an event that another one records.
    for (const auto& stream : streams_) stream->wait_finished();
  }

  [[nodiscard]] DeviceMemory memory() const override;
  [[nodiscard]] std::size_t concurrency() const noexcept override { return streams_.size(); }
  [[nodiscard]] std::size_t stream_count() const noexcept override { return streams_.size(); }

 protected:
  [[nodiscard]] Stream& stream_at(std::size_t i) noexcept override { return *streams_[i]; }

 private:
  std::shared_ptr<CudaContext> context_;
  std::shared_ptr<CudaEventPool> events_;
  std::vector<std::unique_ptr<CudaStream>> streams_;
};

// cudaMemGetInfo answers for the calling thread's current device: select ours, then restore.
DeviceMemory CudaDevice::memory() const {
  const CudaRuntimeApi& api = context_->runtime().api;
  int previous = 0;
  std::size_t free_bytes = 0;
  std::size_t total_bytes = 0;
  const char* call = "cudaGetDevice";
  int status = api.get_device(&previous);
  if (status == 0) {
    call = "cudaSetDevice";
    status = api.set_device(index());
  }
  if (status == 0) {
    call = "cudaMemGetInfo";
    status = api.mem_get_info(&free_bytes, &total_bytes);
    (void)api.set_device(previous);
  }
  if (status != 0) {
    throw Error(
        fmt::format("{}: {} failed: {}", label(), call, context_->runtime().error_text(status)));
  }
  return {total_bytes, free_bytes};
}

// `count` new streams on GPU `ordinal`, or the call that failed (none is left then).
std::optional<std::string> create_streams(const CudaRuntime& runtime, int ordinal,
                                          std::size_t count, std::vector<void*>& handles) {
  if (const int e = runtime.api.set_device(ordinal); e != 0) {
    return fmt::format("cudaSetDevice failed on gpu{}: {}", ordinal, runtime.error_text(e));
  }
  for (std::size_t i = 0; i < count; ++i) {
    void* handle = nullptr;
    if (const int e = runtime.api.stream_create(&handle); e != 0) {
      for (void* created : handles) (void)runtime.api.stream_destroy(created);
      handles.clear();
      return fmt::format("cudaStreamCreate failed on gpu{} (stream {} of {}): {}", ordinal, i,
                         count, runtime.error_text(e));
    }
    handles.push_back(handle);
  }
  return std::nullopt;
}

CudaDevices open_devices(ParallelExecutor& executor, const CudaDeviceOptions& options) {
  const CudaLoad load = load_cuda_runtime(cuda_runtime_candidates());
  if (!load.runtime) return {{}, load.error};
  const GpuReport report = list_cuda_gpus(*load.runtime);  // restores the current device
  if (report.gpus.empty()) return {{}, report.status};
  const CudaRuntimeApi& api = load.runtime->api;
  int previous = 0;
  (void)api.get_device(&previous);  // it answered list_cuda_gpus() just now
  auto context = std::make_shared<CudaContext>(load.runtime, core_of(executor));
  CudaDevices opened{{}, "ok"};
  for (const GpuDevice& gpu : report.gpus) {
    std::vector<void*> handles;
    if (std::optional<std::string> error =
            create_streams(*load.runtime, gpu.index, options.streams_per_device, handles)) {
      opened = {{}, std::move(*error)};  // the devices opened so far are closed again
      break;
    }
    opened.devices.push_back(
        std::make_unique<CudaDevice>(executor, context, gpu, handles, options.priority));
  }
  (void)api.set_device(previous);
  return opened;
}

}  // namespace
}  // namespace detail

CudaDevices open_cuda_devices(ParallelExecutor& executor, CudaDeviceOptions options) {
  check_options(options);
  return detail::open_devices(executor, options);
}

void* cuda_stream_of(Stream& stream) {
  if (auto* cuda = dynamic_cast<detail::CudaStream*>(&stream)) return cuda->handle();
  throw Error(fmt::format("cuda_stream_of: {} stream {} is not a CUDA stream",
                          stream.device().label(), stream.index()));
}

#else  // built with NEAT_CUDA=OFF: no CUDA streams exist

CudaDevices open_cuda_devices(ParallelExecutor& /*executor*/, CudaDeviceOptions options) {
  check_options(options);
  return {{}, "built without CUDA support"};
}

void* cuda_stream_of(Stream& stream) {
  throw Error(fmt::format("cuda_stream_of: {} stream {} is not a CUDA stream",
                          stream.device().label(), stream.index()));
}

#endif

}  // namespace neat
