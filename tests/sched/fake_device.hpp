// A test-only GPU: a Device of kind gpu whose one stream runs on the CPU, with a concurrency
// the test chooses. The placement tests control its profile and backlog.
#pragma once

#include <cstddef>
#include <memory>

#include "core/device_cpu_stream.hpp"
#include "core/executor_core.hpp"
#include "neat/core/device.hpp"
#include "neat/core/executor.hpp"

namespace neat::test {

class FakeGpu final : public Device {
 public:
  FakeGpu(ParallelExecutor& executor, std::size_t concurrency, int index = 0)
      : Device(DeviceKind::gpu, index, "Fake GPU", executor), concurrency_(concurrency) {
    stream_ = std::make_unique<detail::CpuStream>(*this, 0, detail::core_of(executor),
                                                  ExecutionPriority::medium);
  }
  DeviceMemory memory() const override { return {1u << 30, 1u << 29}; }
  std::size_t concurrency() const noexcept override { return concurrency_; }
  std::size_t stream_count() const noexcept override { return 1; }

 protected:
  Stream& stream_at(std::size_t /*i*/) noexcept override { return *stream_; }

 private:
  std::size_t concurrency_;
  std::unique_ptr<detail::CpuStream> stream_;
};

}  // namespace neat::test
