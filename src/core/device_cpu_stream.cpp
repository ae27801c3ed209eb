// CpuStream: in-order items as jobs on the workers; a wait parks the stream. [core.device.cpu]
#include "core/device_cpu_stream.hpp"

#include <fmt/format.h>

#include "core/executor_core.hpp"
#include "core/worker.hpp"
#include "neat/common/error.hpp"

namespace neat::detail {

CpuStream::CpuStream(Device& device, std::size_t index, ExecutorCore& core,
                     ExecutionPriority priority)
    : Stream(device, index, priority), core_(core) {}

CpuStream::~CpuStream() {
  wait_idle();
}

void CpuStream::enqueue_work(std::function<void()> work) {
  enqueue(Item{.kind = Kind::work, .work = std::move(work)});
}

void CpuStream::enqueue_record(std::shared_ptr<EventState> event, bool clear_error) {
  enqueue(Item{.kind = Kind::record, .event = std::move(event), .clear_error = clear_error});
}

void CpuStream::enqueue_wait(std::shared_ptr<EventState> event) {
  enqueue(Item{.kind = Kind::wait, .event = std::move(event)});
}

void CpuStream::enqueue(Item item) {
  pending_.fetch_add(1, std::memory_order_relaxed);
  bool start = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(item));
    start = !std::exchange(scheduled_, true);
  }
  if (start) post_drain();
}

void CpuStream::post_drain() {
  post_function(core_, priority(), [this] { drain(); });
}

void CpuStream::drain() {
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
    if (!process(item)) return;  // parked: the event's completion posts the next drain
  }
  post_drain();  // a long queue yields its worker to other jobs now and then
}

bool CpuStream::process(Item& item) {
  switch (item.kind) {
    case Kind::work:
      run_work(item.work);
      break;
    case Kind::record:
      // Counted first, so that whoever the event wakes sees it gone from pending().
      pending_.fetch_sub(1, std::memory_order_relaxed);
      if (item.clear_error) {
        // [core.device.error] synchronize()'s marker: its waiter holds it until complete, and
        // it takes the stream's error, so the thread that rethrows the error also releases it
        // last (ThreadSanitizer cannot see the uninstrumented exception reference counts).
        EventState& marker = *item.event;
        item.event.reset();
        marker.finish(std::exchange(error_, nullptr));
      } else {
        item.event->finish(error_);
      }
      return true;
    case Kind::wait:
      if (!item.event->complete()) {
        // [core.device.park] No worker is held while the event is incomplete.
        item.event->on_complete([this, event = item.event] {
          post_function(core_, priority(), [this, event] {
            end_wait(*event);
            drain();
          });
        });
        return false;
      }
      end_wait(*item.event);
      return true;
  }
  pending_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

void CpuStream::end_wait(const EventState& event) {
  if (!error_) error_ = event.error();  // a failed edge fails this stream too
  pending_.fetch_sub(1, std::memory_order_relaxed);
}

void CpuStream::run_work(std::function<void()>& work) {
  const std::uint64_t number = ++work_items_;
  if (error_) return;  // the stream failed: later work is skipped until synchronize()
  try {
    const RunningStreamScope scope(*this);
    work();
  } catch (...) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    error_ = std::make_exception_ptr(
        OperationFailed(fmt::format("{} stream {} work item {}", device().label(), index(), number),
                        "", std::current_exception()));
  }
}

bool CpuStream::idle() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return !scheduled_;
}

void CpuStream::wait_idle() {
  if (Worker* worker = core_.current_worker()) {
    worker->help_until([this] { return idle(); });  // [core.help]
    return;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  idle_cv_.wait(lock, [this] { return !scheduled_; });
}

}  // namespace neat::detail
