// CpuDevice: a pool of CpuStreams on one executor. [core.device.cpu]
#include <algorithm>

#include "core/device_cpu_stream.hpp"
#include "core/executor_core.hpp"
#include "neat/common/error.hpp"
#include "neat/core/cpu_device.hpp"
#include "neat/core/executor.hpp"
#include "neat/resources/memory_sample.hpp"

namespace neat {
namespace {

constexpr std::size_t k_max_streams = 4096;

}  // namespace

CpuDevice::CpuDevice(ParallelExecutor& executor, CpuDeviceOptions options)
    : Device(DeviceKind::cpu, options.index, std::move(options.name), executor) {
  const std::size_t count = options.streams != 0 ? options.streams : executor.worker_count();
  if (count > k_max_streams) {
    throw Error("CpuDevice: " + std::to_string(count) + " streams requested; at most " +
                std::to_string(k_max_streams));
  }
  streams_.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    streams_.push_back(
        std::make_unique<detail::CpuStream>(*this, i, detail::core_of(executor), options.priority));
  }
}

CpuDevice::~CpuDevice() {
  // Every stream first: a stream may wait for an event that another one records.
  for (const auto& stream : streams_) stream->wait_idle();
}

DeviceMemory CpuDevice::memory() const {
  const MemorySample sample = read_memory_sample();
  return {sample.total_bytes, sample.headroom_bytes()};
}

std::size_t CpuDevice::concurrency() const noexcept {
  return std::min(streams_.size(), executor().worker_count());
}

Stream& CpuDevice::stream_at(std::size_t i) noexcept {
  return *streams_[i];
}

}  // namespace neat
