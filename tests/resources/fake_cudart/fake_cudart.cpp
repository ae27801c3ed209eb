// A stand-in for the CUDA runtime, so that the loader's paths can be tested on a machine
// without CUDA: the entry points neatsched resolves, with CUDA's C signatures (int errors,
// opaque handles), behaving as fake_cudart_configure() says. Built as a loadable module for
// tests only; it knows nothing of real GPUs.
#include <cstddef>
#include <cstdio>
#include <cstring>

namespace {

int g_devices = 2;
int g_current = 0;
char g_fail_call[64] = "";  // the entry point that fails, "" for none
int g_fail_device = -1;     // on this device (-1: any)
int g_fail_error = 0;

bool fails(const char* call, int device) {
  return std::strcmp(call, g_fail_call) == 0 && (g_fail_device < 0 || device == g_fail_device);
}

}  // namespace

extern "C" {

/// Report `devices` devices; make `call` (a CUDA entry point name, "" for none) return `error`
/// on `device` (-1: on every device). Resets the current device to 0.
void fake_cudart_configure(int devices, const char* call, int device, int error) {
  g_devices = devices;
  std::snprintf(g_fail_call, sizeof g_fail_call, "%s", call);
  g_fail_device = device;
  g_fail_error = error;
  g_current = 0;
}

int fake_cudart_current_device() {
  return g_current;
}

int cudaGetDeviceCount(int* count) {
  *count = g_devices;
  return fails("cudaGetDeviceCount", -1) ? g_fail_error : 0;
}
int cudaGetDevice(int* device) {
  *device = g_current;
  return fails("cudaGetDevice", g_current) ? g_fail_error : 0;
}
int cudaSetDevice(int device) {
  if (fails("cudaSetDevice", device)) return g_fail_error;
  if (device < 0 || device >= g_devices) return 101;  // cudaErrorInvalidDevice
  g_current = device;
  return 0;
}
int cudaMemGetInfo(std::size_t* free_bytes, std::size_t* total_bytes) {
  if (fails("cudaMemGetInfo", g_current)) return g_fail_error;
  *total_bytes = (std::size_t{16} << 30) * static_cast<std::size_t>(g_current + 1);
  *free_bytes = *total_bytes / 2;
  return 0;
}
int cudaGetDeviceProperties(void* properties, int device) {
  if (fails("cudaGetDeviceProperties", device)) return g_fail_error;
  std::snprintf(static_cast<char*>(properties), 256, "Fake GPU %d", device);
  return 0;
}
const char* cudaGetErrorString(int error) {
  return error == 101 ? "invalid device ordinal" : "fake error";
}
int cudaStreamCreate(void** stream) {
  *stream = nullptr;
  return 0;
}
int cudaStreamDestroy(void*) {
  return 0;
}
int cudaStreamWaitEvent(void*, void*, unsigned) {
  return 0;
}
int cudaLaunchHostFunc(void*, void (*fn)(void*), void* data) {
  fn(data);
  return 0;
}
int cudaEventCreate(void** event) {
  *event = nullptr;
  return 0;
}
int cudaEventDestroy(void*) {
  return 0;
}
int cudaEventRecord(void*, void*) {
  return 0;
}
int cudaEventQuery(void*) {
  return 0;
}

}  // extern "C"
