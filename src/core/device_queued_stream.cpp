// QueuedStream: items in order, one drain job at a time, parks without a worker.
// [core.device.queue]
#include "core/device_queued_stream.hpp"

#include "core/executor_core.hpp"
#include "core/worker.hpp"

namespace neat::detail {

void QueuedStream::enqueue_work(std::function<void()> work) {
  enqueue(Item{.kind = Kind::work, .work = std::move(work)});
}

void QueuedStream::enqueue_record(std::shared_ptr<EventState> event, bool clear_error) {
  recording(*event, clear_error);
  enqueue(Item{.kind = Kind::record, .event = std::move(event), .clear_error = clear_error});
}

void QueuedStream::enqueue_wait(std::shared_ptr<EventState> event) {
  enqueue(Item{.kind = Kind::wait, .event = std::move(event)});
}

void QueuedStream::enqueue(Item item) {
  pending_.fetch_add(1, std::memory_order_relaxed);
  bool start = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(item));
    start = !std::exchange(scheduled_, true);
  }
  if (start) post_drain();
}

void QueuedStream::post_drain() {
  post_function(core_, priority(), [this] { drain(); });
}

void QueuedStream::continue_with(Item item) {
  post_function(core_, priority(), [this, parked = std::move(item)]() mutable {
    if (process(parked)) drain();
  });
}

void QueuedStream::drain() {
  for (int n = 0; n < k_items_per_job; ++n) {
    Item item;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (queue_.empty()) {
        scheduled_ = false;
        idle_cv_.notify_all();  // under the lock: the stream may be destroyed once it is free
        return;
      }
      item = std::move(queue_.front());
      queue_.pop_front();
    }
    if (!process(item)) return;  // parked: continue_with() posts the next drain
  }
  post_drain();  // a long queue yields its worker to other jobs now and then
}

bool QueuedStream::idle() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return !scheduled_;
}

void QueuedStream::wait_idle() {
  if (Worker* worker = core_.current_worker()) {
    worker->help_until([this] { return idle(); });  // [core.help]
    return;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  idle_cv_.wait(lock, [this] { return !scheduled_; });
}

}  // namespace neat::detail
