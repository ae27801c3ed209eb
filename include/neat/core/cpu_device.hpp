// CpuDevice: the CPU as a Device. Its streams run their work on a ParallelExecutor's workers
// as jobs: in order within a stream, streams in parallel, and a stream waiting for an event
// holds no worker. [core.device.cpu]
//
// Thread-safety: as Device (neat/core/device.hpp). The destructor waits until every stream has
// finished what was submitted to it (helping, on a worker), so every event its streams wait on
// must be recorded by then; failures left unsynchronized are dropped with the device.
//
//   neat::ParallelExecutor executor({.workers = 4});
//   neat::CpuDevice cpu(executor, {.streams = 4});
//   neat::Stream& s = cpu.least_busy_stream();
//   s.submit([] { step_one(); });
//   s.submit([] { step_two(); });                // after step_one, maybe on another worker
//   s.synchronize();
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "neat/common/types.hpp"
#include "neat/core/device.hpp"

namespace neat {

struct CpuDeviceOptions {
  /// Streams in the pool; 0 means one per executor worker.
  std::size_t streams = 0;
  /// Priority of the jobs that run stream work and then-callbacks.
  ExecutionPriority priority = ExecutionPriority::medium;
  int index = 0;
  std::string name = "cpu";
};

namespace detail {
class CpuStream;
}

class CpuDevice final : public Device {
 public:
  /// Throws neat::Error when more than 4096 streams are asked for or the index is negative.
  explicit CpuDevice(ParallelExecutor& executor, CpuDeviceOptions options = {});
  ~CpuDevice() override;

  /// The machine's memory: total, and the process's headroom as free (MemorySample).
  [[nodiscard]] DeviceMemory memory() const override;
  /// min(streams, executor workers).
  [[nodiscard]] std::size_t concurrency() const noexcept override;
  [[nodiscard]] std::size_t stream_count() const noexcept override { return streams_.size(); }

 protected:
  [[nodiscard]] Stream& stream_at(std::size_t i) noexcept override;

 private:
  std::vector<std::unique_ptr<detail::CpuStream>> streams_;
};

}  // namespace neat
