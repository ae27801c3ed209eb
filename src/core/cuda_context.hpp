// What the CUDA streams of one open_cuda_devices() call share: the runtime, the executor, the
// pooled CUDA events of each GPU, and the marks that let a stream of one GPU wait for an event
// of another on the GPU itself. [core.device.cuda.mark]
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "neat/detail/thread_annotations.hpp"
#include "resources/cuda_runtime_loader.hpp"

namespace neat::detail {

class EventState;
class ExecutorCore;

/// The CUDA events of one GPU, created on demand and reused. Thread-safe. Destroys its events
/// when destroyed (never on a CUDA callback thread: see GpuMark).
class CudaEventPool {
 public:
  explicit CudaEventPool(std::shared_ptr<const CudaRuntime> runtime) noexcept
      : runtime_(std::move(runtime)) {}
  ~CudaEventPool();
  CudaEventPool(const CudaEventPool&) = delete;
  CudaEventPool& operator=(const CudaEventPool&) = delete;

  /// A free event, else a new one (cudaEventCreate, on the calling thread's current device,
  /// which must be the pool's). 0, or the CUDA error and `*event` unchanged.
  int acquire(void** event);
  /// Give back an event that no record or wait will name any more.
  void release(void* event);

 private:
  std::shared_ptr<const CudaRuntime> runtime_;
  Mutex mutex_;
  std::vector<void*> free_ NEAT_GUARDED_BY(mutex_);
};

/// Where a neat Event recorded on a CUDA stream stands on its GPU: pending until the recording
/// stream's host queue reaches the record, then issued (its CUDA event is recorded on the GPU
/// stream, and the error the Event will complete with is known) or unusable (the record could
/// not be enqueued on the GPU). The CUDA event goes back to its pool when the last holder lets
/// go: the registry when the Event completes, a waiter once its cudaStreamWaitEvent returned.
class GpuMark {
 public:
  GpuMark() = default;
  ~GpuMark();
  GpuMark(const GpuMark&) = delete;
  GpuMark& operator=(const GpuMark&) = delete;

  struct Issued {
    void* cuda_event;  // nullptr: unusable, wait on the host
    std::exception_ptr error;
  };

  /// Settle: `cuda_event` (from `pool`; nullptr: unusable) and the Event's error. Runs the
  /// parked waiters' resume functions on this thread.
  void settle(std::shared_ptr<CudaEventPool> pool, void* cuda_event, std::exception_ptr error);
  /// How it settled; or nullopt, and `resume` is kept and called once it settles.
  std::optional<Issued> issued_or_park(std::function<void()> resume);

 private:
  Mutex mutex_;
  bool settled_ NEAT_GUARDED_BY(mutex_) = false;
  std::vector<std::function<void()>> waiters_ NEAT_GUARDED_BY(mutex_);
  std::shared_ptr<CudaEventPool> pool_ NEAT_GUARDED_BY(mutex_);
  Issued issued_ NEAT_GUARDED_BY(mutex_){nullptr, nullptr};
};

class CudaContext {
 public:
  CudaContext(std::shared_ptr<const CudaRuntime> runtime, ExecutorCore& core) noexcept
      : runtime_(std::move(runtime)), core_(core) {}

  [[nodiscard]] const CudaRuntime& runtime() const noexcept { return *runtime_; }
  [[nodiscard]] const std::shared_ptr<const CudaRuntime>& runtime_ptr() const noexcept {
    return runtime_;
  }
  [[nodiscard]] ExecutorCore& core() const noexcept { return core_; }

  /// A pending mark for `event`, being recorded on one of the streams. The registry holds it
  /// until drop_mark(), which the recording stream calls before completing the event, so a
  /// key is never a freed (and reused) address.
  std::shared_ptr<GpuMark> add_mark(const EventState& event);
  /// The mark of `event`, or nullptr when no stream of this context records it (or it is
  /// complete).
  [[nodiscard]] std::shared_ptr<GpuMark> find_mark(const EventState& event);
  void drop_mark(const EventState& event);

 private:
  std::shared_ptr<const CudaRuntime> runtime_;
  ExecutorCore& core_;
  Mutex mutex_;
  std::unordered_map<const EventState*, std::shared_ptr<GpuMark>> marks_ NEAT_GUARDED_BY(mutex_);
};

}  // namespace neat::detail
