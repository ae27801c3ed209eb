// The CUDA runtime through dlopen(), without CUDA headers or the driver library.
// [resources.cuda]
#include "cuda_runtime_loader.hpp"

#if defined(NEAT_HAVE_CUDA_LOADER)

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <optional>

namespace neat::detail {
namespace {

// One entry point: its name, an older name to fall back on, and where its address goes.
struct EntryPoint {
  const char* name;
  const char* fallback;  // nullptr: none
  void* slot;            // the address of a CudaRuntimeApi function pointer
};

bool resolve(void* library, const EntryPoint& entry) {
  void* symbol = dlsym(library, entry.name);
  if (symbol == nullptr && entry.fallback != nullptr) symbol = dlsym(library, entry.fallback);
  if (symbol == nullptr) return false;
  std::memcpy(entry.slot, &symbol, sizeof symbol);  // POSIX: a dlsym() result may be a function
  return true;
}

// Every entry point, or the name of the first one missing.
std::optional<std::string> resolve_all(void* library, CudaRuntimeApi& api) {
  static_assert(sizeof(api.get_device_count) == sizeof(void*), "a slot holds a dlsym() result");
  const EntryPoint entries[] = {
      {"cudaGetDeviceCount", nullptr, &api.get_device_count},
      {"cudaGetDevice", nullptr, &api.get_device},
      {"cudaSetDevice", nullptr, &api.set_device},
      {"cudaMemGetInfo", nullptr, &api.mem_get_info},
      // CUDA 12 exports its struct layout as _v2, 13 only under the plain name; the device
      // name is the first field in every layout.
      {"cudaGetDeviceProperties_v2", "cudaGetDeviceProperties", &api.get_device_properties},
      {"cudaGetErrorString", nullptr, &api.get_error_string},
      {"cudaStreamCreate", nullptr, &api.stream_create},
      {"cudaStreamDestroy", nullptr, &api.stream_destroy},
      {"cudaStreamWaitEvent", nullptr, &api.stream_wait_event},
      {"cudaLaunchHostFunc", nullptr, &api.launch_host_func},
      {"cudaEventCreate", nullptr, &api.event_create},
      {"cudaEventDestroy", nullptr, &api.event_destroy},
      {"cudaEventRecord", nullptr, &api.event_record},
      {"cudaEventQuery", nullptr, &api.event_query},
  };
  for (const EntryPoint& entry : entries) {
    if (!resolve(library, entry)) return std::string(entry.fallback ? entry.fallback : entry.name);
  }
  return std::nullopt;
}

std::string join(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// Name and memory of device `index`, or the error of the call that failed.
std::optional<std::string> describe_gpu(const CudaRuntime& runtime, int index, GpuDevice& gpu) {
  const CudaRuntimeApi& api = runtime.api;
  auto failed = [&](const char* call, int error) {
    return fmt::format("{}({}) failed: {}", call, index, runtime.error_text(error));
  };
  if (const int e = api.set_device(index); e != 0) return failed("cudaSetDevice", e);
  std::vector<char> properties(k_device_properties_buffer, '\0');
  if (const int e = api.get_device_properties(properties.data(), index); e != 0) {
    return failed("cudaGetDeviceProperties", e);
  }
  std::size_t free_bytes = 0;
  std::size_t total_bytes = 0;
  if (const int e = api.mem_get_info(&free_bytes, &total_bytes); e != 0) {
    return failed("cudaMemGetInfo", e);
  }
  gpu = {index, std::string(properties.data(), strnlen(properties.data(), 256)), total_bytes,
         free_bytes};
  return std::nullopt;
}

}  // namespace

std::string CudaRuntime::error_text(int error) const {
  const char* text = api.get_error_string != nullptr ? api.get_error_string(error) : nullptr;
  return fmt::format("{} (error {})", text != nullptr ? text : "unknown error", error);
}

std::vector<std::string> cuda_runtime_candidates() {
  std::vector<std::string> names;
  if (const char* chosen = std::getenv("NEAT_CUDA_RUNTIME"); chosen != nullptr && *chosen != 0) {
    names.emplace_back(chosen);
  }
  for (const char* name :
       {"libcudart.so", "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0"}) {
    names.emplace_back(name);
  }
  return names;
}

CudaLoad load_cuda_runtime(const std::vector<std::string>& candidates) {
  std::vector<std::string> load_errors;  // libraries that exist but did not load
  for (const std::string& name : candidates) {
    void* library = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
      const char* why = dlerror();
      if (why != nullptr && std::strstr(why, "No such file or directory") == nullptr) {
        load_errors.emplace_back(why);
      }
      continue;
    }
    auto runtime = std::make_shared<CudaRuntime>();
    runtime->library = name;
    if (std::optional<std::string> missing = resolve_all(library, runtime->api)) {
      dlclose(library);  // not a usable runtime: nothing of it was called
      return {nullptr, fmt::format("CUDA runtime {}: symbol {} not found", name, *missing)};
    }
    return {std::move(runtime), ""};  // stays loaded: see the header
  }
  std::string error = "CUDA runtime not found: tried " + join(candidates);
  if (!load_errors.empty()) error += " (" + join(load_errors) + ")";
  return {nullptr, error};
}

GpuReport list_cuda_gpus(const CudaRuntime& runtime) {
  const CudaRuntimeApi& api = runtime.api;
  int count = 0;
  if (const int e = api.get_device_count(&count); e != 0) {
    return {{}, "cudaGetDeviceCount failed: " + runtime.error_text(e)};
  }
  if (count <= 0) return {{}, "the CUDA runtime reports no devices"};
  int current = 0;
  if (const int e = api.get_device(&current); e != 0) {
    return {{}, "cudaGetDevice failed: " + runtime.error_text(e)};
  }
  GpuReport report{{}, "ok"};
  for (int i = 0; i < count; ++i) {
    GpuDevice gpu;
    if (std::optional<std::string> error = describe_gpu(runtime, i, gpu)) {
      report = {{}, *error};
      break;
    }
    report.gpus.push_back(std::move(gpu));
  }
  (void)api.set_device(current);
  return report;
}

}  // namespace neat::detail

#endif  // NEAT_HAVE_CUDA_LOADER
