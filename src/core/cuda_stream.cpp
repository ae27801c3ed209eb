// CudaStream's items: work and records are enqueued on the GPU, waits become GPU edges or park
// the queue. [core.device.cuda]
#include "core/cuda_stream.hpp"

#if defined(NEAT_HAVE_CUDA_LOADER)

#include "core/executor_core.hpp"
#include "core/worker.hpp"

namespace neat::detail {

CudaStream::CudaStream(Device& device, std::size_t index, std::shared_ptr<CudaContext> context,
                       std::shared_ptr<CudaEventPool> events, void* handle,
                       ExecutionPriority priority)
    : QueuedStream(device, index, context->core(), priority),
      context_(std::move(context)),
      events_(std::move(events)),
      handle_(handle),
      ordinal_(device.index()) {}

CudaStream::~CudaStream() {
  wait_finished();
  (void)context_->runtime().api.stream_destroy(handle_);
}

void CudaStream::recording(const EventState& event, bool clear_error) {
  // synchronize()'s marker is private to its waiter: no one waits for it on the GPU.
  if (!clear_error) (void)context_->add_mark(event);
}

bool CudaStream::process(Item& item) {
  if (item.kind == Kind::work) {
    run_work(item.work);
    return true;
  }
  if (item.kind == Kind::record) {
    run_record(item);
    return true;
  }
  return run_wait(item);
}

void CudaStream::run_work(std::function<void()>& work) {
  const ItemRef item{"work item", ++work_items_};
  if (error_ || !select_device(item)) {  // a failed stream skips work until synchronize()
    item_done();
    return;
  }
  try {
    const RunningStreamScope running(*this);
    const CurrentCudaStreamScope current(handle_);
    work();
  } catch (...) {
    fail(item, std::current_exception());
    item_done();
    return;
  }
  launch_completion(std::make_unique<Completion>(Completion{.stream = this}), item);
}

void CudaStream::run_record(Item& item) {
  const ItemRef ref{"record after work item", work_items_};
  auto completion = std::make_unique<Completion>(
      Completion{.stream = this, .event = std::move(item.event), .marker = item.clear_error});
  if (completion->marker) {
    completion->error = std::exchange(error_, nullptr);  // synchronize() takes and clears it
  } else {
    completion->error = error_;
    record_on_gpu(*context_->find_mark(*completion->event), *completion, ref);
  }
  launch_completion(std::move(completion), ref);
}

// [core.device.cuda.mark] A pooled CUDA event recorded here lets streams of other GPUs
// wait on the GPU; when it cannot be recorded, they wait for the Event on the host instead.
void CudaStream::record_on_gpu(GpuMark& mark, Completion& completion, const ItemRef& item) {
  void* cuda_event = nullptr;
  if (select_device(item) && check("cudaEventCreate", events_->acquire(&cuda_event), item)) {
    if (check("cudaEventRecord", context_->runtime().api.event_record(cuda_event, handle_), item)) {
      mark.settle(events_, cuda_event, completion.error);
      return;
    }
    events_->release(cuda_event);
  }
  completion.error = error_;  // the stream failed here: so does the Event
  mark.settle(nullptr, nullptr, error_);
}

bool CudaStream::run_wait(Item& item) {
  if (item.event->complete()) {
    end_wait(item.event->error());
    return true;
  }
  if (const std::shared_ptr<GpuMark> mark = context_->find_mark(*item.event)) {
    const std::optional<GpuMark::Issued> issued =
        mark->issued_or_park([this, item] { continue_with(item); });
    if (!issued) return false;            // the record is not on the GPU yet
    if (issued->cuda_event != nullptr) {  // a GPU-side edge; `mark` keeps the event unpooled
      const ItemRef ref{"wait after work item", work_items_};
      const int status = context_->runtime().api.stream_wait_event(handle_, issued->cuda_event, 0);
      (void)check("cudaStreamWaitEvent", status, ref);
      end_wait(issued->error);
      return true;
    }
  }
  // [core.device.park] A CPU stream's event, or one not recorded yet: no worker is held.
  const std::shared_ptr<EventState> event = item.event;
  event->on_complete([this, parked = std::move(item)] { continue_with(parked); });
  return false;
}

void CudaStream::end_wait(const std::exception_ptr& error) {
  if (!error_) error_ = error;  // a failed edge fails this stream too
  item_done();
}

bool CudaStream::delivered() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return on_gpu_ == 0 && !delivering_;
}

void CudaStream::wait_finished() {
  wait_idle();  // first: the drain job may still launch host functions
  if (Worker* worker = core().current_worker()) {
    worker->help_until([this] { return delivered(); });  // [core.help]
    return;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  delivered_cv_.wait(lock, [this] { return on_gpu_ == 0 && !delivering_; });
}

}  // namespace neat::detail

#endif  // NEAT_HAVE_CUDA_LOADER
