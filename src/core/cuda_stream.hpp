// CudaStream: a neat::Stream over one cudaStream_t. [core.device.cuda]
//
// A host-side queue of items (work, record, wait), drained in order by one job at a time on
// the executor's workers (QueuedStream). Draining only *enqueues* on the GPU: work() launches
// its GPU work, then a cudaLaunchHostFunc callback marks where it ends; the callback (on a CUDA
// thread) queues the item's completion and posts a deliver job, which completes items in the
// GPU's order. A wait for an event recorded on a CUDA stream of the same context becomes
// cudaStreamWaitEvent once that record is enqueued; any other wait parks the queue (no worker
// held) until the event completes.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <utility>

#include "core/device_queued_stream.hpp"
#include "core/cuda_context.hpp"

namespace neat::detail {

/// The CUDA stream of the work item running on this thread (nullptr outside one).
[[nodiscard]] void*& current_cuda_stream_slot() noexcept;
class CurrentCudaStreamScope {
 public:
  explicit CurrentCudaStreamScope(void* stream) noexcept
      : previous_(std::exchange(current_cuda_stream_slot(), stream)) {}
  ~CurrentCudaStreamScope() { current_cuda_stream_slot() = previous_; }
  CurrentCudaStreamScope(const CurrentCudaStreamScope&) = delete;
  CurrentCudaStreamScope& operator=(const CurrentCudaStreamScope&) = delete;

 private:
  void* previous_;
};

class CudaStream final : public QueuedStream {
 public:
  /// `handle`: a cudaStream_t of `device` (its index is the CUDA ordinal), destroyed with the
  /// stream; `events`: that GPU's pool.
  CudaStream(Device& device, std::size_t index, std::shared_ptr<CudaContext> context,
             std::shared_ptr<CudaEventPool> events, void* handle, ExecutionPriority priority);
  /// Waits until finished (wait_finished()), then destroys the CUDA stream.
  ~CudaStream() override;

  [[nodiscard]] void* handle() const noexcept { return handle_; }
  /// Block (help, on a worker) until nothing is queued or draining (wait_idle()) and every
  /// item came back from the GPU and was delivered.
  void wait_finished();

 private:
  /// What a host function carries back from the GPU.
  struct Completion {
    CudaStream* stream = nullptr;
    std::shared_ptr<EventState> event{};  // nullptr: the end of a work item
    std::exception_ptr error{};           // what the event completes with
    bool marker = false;                  // synchronize()'s: held by its waiter [core.device.error]
  };
  /// An item's name in errors: "<what> <work item number>".
  struct ItemRef {
    const char* what;
    std::uint64_t number;
  };

  bool process(Item& item) override;
  void recording(const EventState& event, bool clear_error) override;
  void run_work(std::function<void()>& work);
  void run_record(Item& item);
  void record_on_gpu(GpuMark& mark, Completion& completion, const ItemRef& item);
  bool run_wait(Item& item);
  void end_wait(const std::exception_ptr& error);
  [[nodiscard]] bool delivered() const;

  /// Make the GPU current on this thread; false (and the stream failed) when CUDA refuses.
  bool select_device(const ItemRef& item);
  /// False (and the stream failed, naming `call` and `item`) when `status` is an error.
  bool check(const char* call, int status, const ItemRef& item);
  void fail(const ItemRef& item, std::exception_ptr cause);

  /// Enqueue the host function that brings `completion` back; when CUDA refuses, complete it
  /// now, failed.
  void launch_completion(std::unique_ptr<Completion> completion, const ItemRef& item);
  /// The host function: queue the completion in arrived_, post deliver() unless it runs.
  static void on_gpu_reached(void* completion);
  /// A job: complete what arrived, in the order the GPU reached it.
  void deliver();
  void complete(std::unique_ptr<Completion> completion);

  std::shared_ptr<CudaContext> context_;
  std::shared_ptr<CudaEventPool> events_;
  void* const handle_;
  const int ordinal_;
  mutable std::mutex mutex_;
  std::condition_variable delivered_cv_;
  std::size_t on_gpu_ = 0;           // guarded by mutex_: host functions launched, not delivered
  std::deque<Completion*> arrived_;  // guarded by mutex_: reached by the GPU, not delivered
  bool delivering_ = false;          // guarded by mutex_: a deliver job is posted or running
  // Touched only by the drain job, of which one runs at a time (ordered by the queue's mutex,
  // the job queues and the events' and marks' mutexes).
  std::exception_ptr error_;
  std::uint64_t work_items_ = 0;
};

}  // namespace neat::detail
