// CUDA GPUs as neat::Devices, on the CUDA runtime loaded at run time (no CUDA type or header
// here, and the build needs no toolkit). [core.device.cuda]
//
// Each GPU is a Device of kind gpu with a pool of CUDA streams, created at open. A work item is
// a host function that *enqueues* GPU work (kernel launches, async copies) on its stream's
// cudaStream_t, which it gets from current_cuda_stream() (or cuda_stream_of()); the GPU's
// device is current on the calling thread while it runs. What completes when:
// - a work item finishes when the GPU reaches the end of what it enqueued: the stream's host
//   queue moves on as soon as work() returned, and a cudaLaunchHostFunc callback after it posts
//   the completion to the executor as a job, so no worker ever waits for a GPU;
// - record(event) completes the Event when the GPU reaches it, and records a pooled CUDA event
//   there too, so that wait(event) by a stream of any GPU opened together is a GPU-side edge
//   (cudaStreamWaitEvent) with no host round trip; waiting for any other event (a CPU
//   stream's, one not recorded yet) parks the host queue without holding a worker;
// - a wait counts as finished once its edge is in place (the GPU wait is enqueued, or the
//   host-side event completed).
// Host functions run on a CUDA runtime thread: neatsched's make no CUDA call and never block
// beyond handing a job to the executor.
//
// Errors (the Stream contract of neat/core/device.hpp): work that throws, or a CUDA call that
// fails, fails its stream; the error is a neat::OperationFailed naming the device, stream and
// item ("gpu0 stream 1 work item 3"), whose cause names the call and carries the runtime's text
// ("cudaLaunchHostFunc failed on gpu0 stream 1: <text> (error <n>)"). failure_count() counts
// both. A GPU fault that surfaces only in a later CUDA call fails the stream at that call. When
// CUDA refuses the host function itself, the item ends at once, failed, without waiting for the
// GPU work before it.
//
// Lifetime: the executor must outlive the devices. Destroying a device waits until every
// item of its streams finished (on the GPU too), so every event they wait on must be recorded
// by then; then its CUDA streams and events are destroyed. Thread-safety: as Device.
//
//   neat::ParallelExecutor executor;
//   neat::CudaDevices gpus = neat::open_cuda_devices(executor, {.streams_per_device = 4});
//   if (gpus.devices.empty()) log("no GPU: " + gpus.status);
//   neat::Stream& s = gpus.devices[0]->least_busy_stream();
//   s.submit([=] { saxpy_launch(n, a, x, y, neat::current_cuda_stream()); });
//   s.synchronize();    // the kernel ran; rethrows a failure
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "neat/common/types.hpp"
#include "neat/core/device.hpp"

namespace neat {

struct CudaDeviceOptions {
  /// CUDA streams created on each GPU, 1 to 1024.
  std::size_t streams_per_device = 4;
  /// Priority of the jobs that run stream items, deliver completions and run then-callbacks.
  ExecutionPriority priority = ExecutionPriority::medium;
};

struct CudaDevices {
  /// One per GPU, in CUDA's order (label gpu<ordinal>, name the product's); empty on failure.
  std::vector<std::unique_ptr<Device>> devices;
  /// "ok", or why there are none: "built without CUDA support", the loader's error (no
  /// runtime), "the CUDA runtime reports no devices", or the CUDA call that failed with the
  /// device and the runtime's text.
  std::string status;
};

/// Load the CUDA runtime ($NEAT_CUDA_RUNTIME, then libcudart.so...; see the user guide) and
/// open every GPU with `options.streams_per_device` streams. Any CUDA error gives no devices
/// (what was created is destroyed again) and the reason, never an exception. Blocks while the
/// runtime creates its contexts (up to seconds). The caller's current CUDA device is restored.
/// Throws neat::Error, opening nothing, when `streams_per_device` is 0 or above 1024.
[[nodiscard]] CudaDevices open_cuda_devices(ParallelExecutor& executor,
                                            CudaDeviceOptions options = {});

/// The native stream (a cudaStream_t) behind `stream`, a stream of a device from
/// open_cuda_devices(). Throws neat::Error naming the stream when it is not a CUDA stream.
[[nodiscard]] void* cuda_stream_of(Stream& stream);

/// Inside a CUDA stream's work item: its cudaStream_t; elsewhere nullptr. Never blocks.
[[nodiscard]] void* current_cuda_stream() noexcept;

}  // namespace neat
