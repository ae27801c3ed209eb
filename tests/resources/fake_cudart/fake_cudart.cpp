// A stand-in for the CUDA runtime, so that the loader and the CUDA device backend can be tested
// on a machine without CUDA: the entry points neatsched resolves, with CUDA's C signatures (int
// errors, opaque handles), behaving as fake_cudart_configure() says. Streams really are
// asynchronous (a thread each, fake_cudart_streams.cpp). Built as a loadable module for tests
// only; it knows nothing of real GPUs.
#include "fake_cudart.hpp"

#include <atomic>
#include <cstddef>
#include <cstdio>
#include <map>
#include <string>

namespace fake_cudart {
namespace {

struct Config {
  int devices = 2;
  std::string fail_call;  // the entry point that fails, "" for none
  int fail_device = -1;   // on this device (-1: any)
  int fail_error = 0;
  int successes_first = 0;  // calls of fail_call that succeed before it starts failing
};

std::mutex g_mutex;
Config g_config;                      // guarded by g_mutex
std::map<std::string, long> g_calls;  // guarded by g_mutex
std::atomic<int> g_violations{0};

int device_count() {
  const std::lock_guard<std::mutex> lock(g_mutex);
  return g_config.devices;
}

}  // namespace

int enter(const char* call, int device) {
  if (in_host_function()) {
    g_violations.fetch_add(1);
    return k_error_not_permitted;
  }
  const std::lock_guard<std::mutex> lock(g_mutex);
  ++g_calls[call];
  Config& c = g_config;
  if (c.fail_call != call || (c.fail_device >= 0 && device != c.fail_device)) return 0;
  if (c.successes_first > 0) {
    --c.successes_first;
    return 0;
  }
  return c.fail_error;
}

int& current_device() {
  thread_local int current = 0;
  return current;
}

}  // namespace fake_cudart

using fake_cudart::current_device;
using fake_cudart::enter;

extern "C" {

/// Report `devices` devices; make `call` (a CUDA entry point name, "" for none) return `error`
/// on `device` (-1: on every device). Resets the call counts and the calling thread's current
/// device to 0.
void fake_cudart_configure(int devices, const char* call, int device, int error) {
  const std::lock_guard<std::mutex> lock(fake_cudart::g_mutex);
  fake_cudart::g_config = {devices, call, device, error, 0};
  fake_cudart::g_calls.clear();
  fake_cudart::g_violations.store(0);
  current_device() = 0;
}

/// The configured failing call succeeds `successes` more times before it fails.
void fake_cudart_fail_after(int successes) {
  const std::lock_guard<std::mutex> lock(fake_cudart::g_mutex);
  fake_cudart::g_config.successes_first = successes;
}

/// Calls of the entry point `call` since the last fake_cudart_configure().
long fake_cudart_calls(const char* call) {
  const std::lock_guard<std::mutex> lock(fake_cudart::g_mutex);
  const auto found = fake_cudart::g_calls.find(call);
  return found == fake_cudart::g_calls.end() ? 0 : found->second;
}

/// CUDA calls made from inside a host function (which CUDA forbids).
int fake_cudart_callback_violations() {
  return fake_cudart::g_violations.load();
}

int fake_cudart_current_device() {
  return current_device();
}

int cudaGetDeviceCount(int* count) {
  *count = fake_cudart::device_count();
  return enter("cudaGetDeviceCount", -1);
}
int cudaGetDevice(int* device) {
  *device = current_device();
  return enter("cudaGetDevice", current_device());
}
int cudaSetDevice(int device) {
  if (const int e = enter("cudaSetDevice", device); e != 0) return e;
  if (device < 0 || device >= fake_cudart::device_count()) {
    return fake_cudart::k_error_invalid_device;
  }
  current_device() = device;
  return 0;
}
int cudaMemGetInfo(std::size_t* free_bytes, std::size_t* total_bytes) {
  if (const int e = enter("cudaMemGetInfo", current_device()); e != 0) return e;
  *total_bytes = (std::size_t{16} << 30) * static_cast<std::size_t>(current_device() + 1);
  *free_bytes = *total_bytes / 2;
  return 0;
}
int cudaGetDeviceProperties(void* properties, int device) {
  if (const int e = enter("cudaGetDeviceProperties", device); e != 0) return e;
  std::snprintf(static_cast<char*>(properties), 256, "Fake GPU %d", device);
  return 0;
}
const char* cudaGetErrorString(int error) {
  struct Text {
    int error;
    const char* text;
  };
  static constexpr Text k_texts[] = {
      {fake_cudart::k_error_invalid_device, "invalid device ordinal"},
      {fake_cudart::k_error_invalid_handle, "invalid resource handle"},
      {fake_cudart::k_error_not_ready, "device not ready"},
      {fake_cudart::k_error_not_permitted, "operation not permitted"},
  };
  for (const Text& t : k_texts) {
    if (t.error == error) return t.text;
  }
  return "fake error";
}

}  // extern "C"
