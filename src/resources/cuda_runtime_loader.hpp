// The CUDA runtime, loaded at run time with dlopen() and declared here without any CUDA
// header: error codes are int (cudaError_t; 0 is success), streams and events opaque
// pointers. Only the runtime (libcudart) is ever loaded, never the driver library (libcuda),
// which the runtime loads itself. Compiled in when NEAT_CUDA is AUTO or ON. [resources.cuda]
//
// Thread-safety: load_cuda_runtime() and list_cuda_gpus() may be called from any thread; the
// runtime's own functions are as thread-safe as CUDA makes them. A loaded library stays loaded
// for the life of the process (the CUDA runtime does not support being unloaded).
//
//   CudaLoad load = load_cuda_runtime(cuda_runtime_candidates());
//   GpuReport gpus = load.runtime ? list_cuda_gpus(*load.runtime) : GpuReport{{}, load.error};
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "hardware_backends.hpp"

namespace neat::detail {

/// The entry points, with the CUDA runtime's C signatures. The device and stream calls are
/// what detection uses; the stream and event calls are the seam for a CUDA Device backend.
struct CudaRuntimeApi {
  int (*get_device_count)(int* count) = nullptr;
  int (*get_device)(int* device) = nullptr;
  int (*set_device)(int device) = nullptr;
  int (*mem_get_info)(std::size_t* free_bytes, std::size_t* total_bytes) = nullptr;
  /// Fills a cudaDeviceProp; neatsched reads only its first field, the name (char[256]), and
  /// passes a zeroed buffer far larger than any version of the struct.
  int (*get_device_properties)(void* properties, int device) = nullptr;
  const char* (*get_error_string)(int error) = nullptr;
  int (*stream_create)(void** stream) = nullptr;
  int (*stream_destroy)(void* stream) = nullptr;
  int (*stream_wait_event)(void* stream, void* event, unsigned flags) = nullptr;
  int (*launch_host_func)(void* stream, void (*fn)(void*), void* user_data) = nullptr;
  int (*event_create)(void** event) = nullptr;
  int (*event_destroy)(void* event) = nullptr;
  int (*event_record)(void* event, void* stream) = nullptr;
  int (*event_query)(void* event) = nullptr;
};

/// A loaded CUDA runtime: the library it came from and its entry points.
struct CudaRuntime {
  std::string library;
  CudaRuntimeApi api;
  /// "<the runtime's text for `error`> (error <n>)".
  [[nodiscard]] std::string error_text(int error) const;
};

struct CudaLoad {
  std::shared_ptr<const CudaRuntime> runtime;  // nullptr on failure
  std::string error;                           // why, naming the library or symbol
};

/// Bytes of the buffer handed to cudaGetDeviceProperties (the struct is ~1 KiB in CUDA 12).
inline constexpr std::size_t k_device_properties_buffer = 16 * 1024;

/// The libraries tried, in order: $NEAT_CUDA_RUNTIME when set, then libcudart.so (a toolkit's
/// link), libcudart.so.13, libcudart.so.12, libcudart.so.11.0 (runtime-only installs).
[[nodiscard]] std::vector<std::string> cuda_runtime_candidates();

/// dlopen() the first candidate that loads and resolve every entry point. Never throws.
/// Errors: "CUDA runtime not found: tried a, b" (plus a library's own dlopen error when it
/// exists but does not load), or "CUDA runtime <library>: symbol <name> not found".
[[nodiscard]] CudaLoad load_cuda_runtime(const std::vector<std::string>& candidates);

/// The devices: count, then each one's name and memory (cudaMemGetInfo, which creates a
/// context on the device). The calling thread's current device is restored. Any error gives no
/// GPUs and a status naming the call, the device and the runtime's text; "ok" otherwise.
[[nodiscard]] GpuReport list_cuda_gpus(const CudaRuntime& runtime);

}  // namespace neat::detail
