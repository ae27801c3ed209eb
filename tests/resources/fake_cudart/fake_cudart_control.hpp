// The stand-in CUDA runtime's knobs, for tests: dlopen()s the same module that the loader loads
// (so they share its state) and points $NEAT_CUDA_RUNTIME at it while alive.
#pragma once

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>

namespace neat::test {

class FakeCudart {
 public:
  FakeCudart() : handle_(dlopen(NEAT_FAKE_CUDART_PATH, RTLD_NOW | RTLD_LOCAL)) {
    if (handle_ == nullptr) throw std::runtime_error("cannot load " NEAT_FAKE_CUDART_PATH);
    ::setenv("NEAT_CUDA_RUNTIME", NEAT_FAKE_CUDART_PATH, 1);
    configure(2);
  }
  ~FakeCudart() {
    ::unsetenv("NEAT_CUDA_RUNTIME");
    dlclose(handle_);
  }
  FakeCudart(const FakeCudart&) = delete;
  FakeCudart& operator=(const FakeCudart&) = delete;

  /// `devices` GPUs; `call` fails with `error` on `device` (-1: any) after `successes` more
  /// successful calls. Resets the call counts.
  void configure(int devices, const char* call = "", int device = -1, int error = 0,
                 int successes = 0) {
    get<void (*)(int, const char*, int, int)>("fake_cudart_configure")(devices, call, device,
                                                                       error);
    get<void (*)(int)>("fake_cudart_fail_after")(successes);
  }
  [[nodiscard]] long calls(const char* call) {
    return get<long (*)(const char*)>("fake_cudart_calls")(call);
  }
  [[nodiscard]] int live_streams() { return get<int (*)()>("fake_cudart_live_streams")(); }
  [[nodiscard]] int live_events() { return get<int (*)()>("fake_cudart_live_events")(); }
  [[nodiscard]] int callback_violations() {
    return get<int (*)()>("fake_cudart_callback_violations")();
  }
  [[nodiscard]] bool on_stream_thread() {
    return get<int (*)()>("fake_cudart_on_stream_thread")() != 0;
  }
  [[nodiscard]] int current_device() { return get<int (*)()>("fake_cudart_current_device")(); }

  /// Enqueue `kernel` on `stream` as the GPU's next work (it runs on the stream's thread).
  /// The CUDA error, or 0.
  int launch(void* stream, std::function<void()> kernel) {
    auto* held = new std::function<void()>(std::move(kernel));
    const int status = get<int (*)(void*, void (*)(void*), void*)>("fake_cudart_launch_kernel")(
        stream, &run_kernel, held);
    if (status != 0) delete held;
    return status;
  }

 private:
  static void run_kernel(void* kernel) {
    auto* held = static_cast<std::function<void()>*>(kernel);
    (*held)();
    delete held;
  }
  template <class F>
  F get(const char* name) {
    void* symbol = dlsym(handle_, name);
    if (symbol == nullptr) throw std::runtime_error(std::string("fake_cudart lacks ") + name);
    return reinterpret_cast<F>(symbol);
  }

  void* handle_;
};

}  // namespace neat::test
