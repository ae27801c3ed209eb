// CpuStream: in-order items as jobs on the workers; a wait parks the stream. [core.device.cpu]
#include "core/device_cpu_stream.hpp"

#include <fmt/format.h>

#include "neat/common/error.hpp"

namespace neat::detail {

bool CpuStream::process(Item& item) {
  switch (item.kind) {
    case Kind::work:
      run_work(item.work);
      break;
    case Kind::record:
      run_record(item);
      break;
    case Kind::wait:
      if (!item.event->complete()) {
        // [core.device.park] No worker is held while the event is incomplete.
        const std::shared_ptr<EventState> event = item.event;
        event->on_complete([this, parked = std::move(item)] { continue_with(parked); });
        return false;
      }
      end_wait(*item.event);
      break;
  }
  return true;
}

void CpuStream::run_record(Item& item) {
  // Counted first, so that whoever the event wakes sees it gone from pending().
  item_done();
  if (item.clear_error) {
    // [core.device.error] synchronize()'s marker: its waiter holds it until complete, and it
    // takes the stream's error, so the thread that rethrows the error also releases it last
    // (ThreadSanitizer cannot see the uninstrumented exception reference counts).
    EventState& marker = *item.event;
    item.event.reset();
    marker.finish(std::exchange(error_, nullptr));
  } else {
    item.event->finish(error_);
  }
}

void CpuStream::end_wait(const EventState& event) {
  if (!error_) error_ = event.error();  // a failed edge fails this stream too
  item_done();
}

void CpuStream::run_work(std::function<void()>& work) {
  const std::uint64_t number = ++work_items_;
  if (!error_) {  // the stream failed: later work is skipped until synchronize()
    try {
      const RunningStreamScope scope(*this);
      work();
    } catch (...) {
      count_failure();
      error_ = std::make_exception_ptr(OperationFailed(
          fmt::format("{} stream {} work item {}", device().label(), index(), number), "",
          std::current_exception()));
    }
  }
  item_done();
}

}  // namespace neat::detail
