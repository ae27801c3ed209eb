// CudaStream: completions that come back from the GPU, and CUDA errors that fail the stream.
// [core.device.cuda]
#include <fmt/format.h>

#include "core/cuda_stream.hpp"

#if defined(NEAT_HAVE_CUDA_LOADER)

#include "core/executor_core.hpp"
#include "neat/common/error.hpp"

namespace neat::detail {

bool CudaStream::select_device(const ItemRef& item) {
  return check("cudaSetDevice", context_->runtime().api.set_device(ordinal_), item);
}

bool CudaStream::check(const char* call, int status, const ItemRef& item) {
  if (status == 0) return true;
  fail(item, std::make_exception_ptr(
                 Error(fmt::format("{} failed on {} stream {}: {}", call, device().label(), index(),
                                   context_->runtime().error_text(status)))));
  return false;
}

void CudaStream::fail(const ItemRef& item, std::exception_ptr cause) {
  count_failure();
  if (error_) return;  // the first failure is the stream's error
  error_ = std::make_exception_ptr(OperationFailed(
      fmt::format("{} stream {} {} {}", device().label(), index(), item.what, item.number), "",
      std::move(cause)));
}

void CudaStream::launch_completion(std::unique_ptr<Completion> completion, const ItemRef& item) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++on_gpu_;  // before the launch: the host function may run before it returns
  }
  const int status =
      context_->runtime().api.launch_host_func(handle_, &on_gpu_reached, completion.get());
  if (check("cudaLaunchHostFunc", status, item)) {
    (void)completion.release();  // on_gpu_reached() owns it now
    return;
  }
  // Nothing comes back from the GPU for this item: it ends now, with the stream's failure.
  {
    std::lock_guard<std::mutex> lock(mutex_);
    --on_gpu_;  // no notify: the draining job keeps the stream busy
  }
  if (completion->marker) {
    // synchronize() reports the first failure since the last one (this one, when no other)
    // and clears the stream's; a later one is counted in failure_count().
    std::exception_ptr launch_failure = std::exchange(error_, nullptr);
    if (!completion->error) completion->error = std::move(launch_failure);
  } else if (completion->event) {
    completion->error = error_;
  }
  complete(std::move(completion));
}

// On a CUDA runtime thread: no CUDA call, nothing that blocks but a short lock; a worker does
// the rest.
void CudaStream::on_gpu_reached(void* completion) {
  auto* reached = static_cast<Completion*>(completion);
  CudaStream& stream = *reached->stream;
  bool start = false;
  {
    std::lock_guard<std::mutex> lock(stream.mutex_);
    stream.arrived_.push_back(reached);
    start = !std::exchange(stream.delivering_, true);
  }
  if (start)
    post_function(stream.context_->core(), stream.priority(), [&stream] { stream.deliver(); });
}

// One deliver job at a time per stream, so completions happen in the order the GPU reached
// them: an Event recorded before synchronize()'s marker is complete when synchronize() returns.
void CudaStream::deliver() {
  for (;;) {
    std::unique_ptr<Completion> completion;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (arrived_.empty()) {
        delivering_ = false;
        delivered_cv_.notify_all();  // under the lock: the stream may be destroyed once free
        return;
      }
      completion.reset(arrived_.front());
      arrived_.pop_front();
      --on_gpu_;
    }
    complete(std::move(completion));
  }
}

void CudaStream::complete(std::unique_ptr<Completion> completion) {
  // Counted first, so that whoever the event wakes sees it gone from pending().
  item_done();
  std::shared_ptr<EventState> event = std::move(completion->event);
  if (!event) return;
  // The mark leaves the registry before the Event completes, so its key is never a freed
  // EventState; a waiter still holding the mark keeps the CUDA event out of the pool.
  if (!completion->marker) context_->drop_mark(*event);
  std::exception_ptr error = std::move(completion->error);
  const bool marker = completion->marker;
  completion.reset();
  if (marker) {
    // [core.device.error] Held by its waiter until complete, which may free it right after.
    EventState& state = *event;
    event.reset();
    state.finish(std::move(error));
  } else {
    event->finish(std::move(error));
  }
}

}  // namespace neat::detail

#endif  // NEAT_HAVE_CUDA_LOADER
