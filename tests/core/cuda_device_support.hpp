// The fixture of the CUDA device tests: two fake GPUs (tests/resources/fake_cudart) opened
// through the real loader, four streams each, over 1, 2 and 4 workers; bounded waits.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <thread>

#include "neat/core/executor.hpp"
#include "neat/core/cuda_device.hpp"
#include "resources/fake_cudart/fake_cudart_control.hpp"

namespace neat::test {

inline const auto k_cuda_worker_counts =
    ::testing::Values(std::size_t{1}, std::size_t{2}, std::size_t{4});

/// Poll `done` until it holds or `limit` passed; false on timeout (so a hang fails the test).
template <class Predicate>
bool eventually(Predicate done, std::chrono::seconds limit = std::chrono::seconds(30)) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::yield();
  }
  return true;
}

/// A gate that a fake kernel waits at (bounded: `timed_out` says it gave up).
struct Gate {
  std::atomic<bool> open{false};
  std::atomic<bool> reached{false};
  std::atomic<bool> timed_out{false};
  void pass() {
    reached.store(true);
    if (!eventually([this] { return open.load(); })) timed_out.store(true);
  }
};

class CudaDeviceTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  void SetUp() override {
    gpus_ = open_cuda_devices(executor_, {.streams_per_device = 4});
    ASSERT_EQ(gpus_.status, "ok");
    ASSERT_EQ(gpus_.devices.size(), 2u);
  }

  Device& gpu(std::size_t i) { return *gpus_.devices.at(i); }
  Event record_on(Stream& stream) {
    Event event(executor_);
    stream.record(event);
    return event;
  }
  /// Hold `stream`'s GPU at `gate` (a kernel waiting there), record an event behind it, and
  /// return the event once the GPU is held.
  Event hold_gpu(Stream& stream, Gate& gate) {
    submit_kernel(stream, [&gate] { gate.pass(); });
    Event behind = record_on(stream);
    EXPECT_TRUE(eventually([&gate] { return gate.reached.load(); })) << "the GPU never got there";
    return behind;
  }
  /// Submit work to `stream` that launches `kernel` on it (the fake GPU runs it later).
  void submit_kernel(Stream& stream, std::function<void()> kernel) {
    stream.submit([this, kernel = std::move(kernel)] {
      if (fake_.launch(current_cuda_stream(), kernel) != 0) throw std::runtime_error("launch");
    });
  }

  FakeCudart fake_;  // first in, last out: it outlives the devices
  ParallelExecutor executor_{ExecutorOptions{.workers = GetParam()}};
  CudaDevices gpus_;
};

inline std::string cuda_worker_name(const ::testing::TestParamInfo<std::size_t>& info) {
  return std::to_string(info.param) + "_workers";
}

}  // namespace neat::test
