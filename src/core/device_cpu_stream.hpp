// CpuStream: a stream whose items run as jobs on the executor's workers. [core.device.cpu]
//
// The queue and its drain job are QueuedStream's; an item that waits for an incomplete event
// parks the stream, and the event's completion continues it.
#pragma once

#include <cstdint>
#include <exception>

#include "core/device_queued_stream.hpp"

namespace neat::detail {

class CpuStream final : public QueuedStream {
 public:
  CpuStream(Device& device, std::size_t index, ExecutorCore& core, ExecutionPriority priority)
      : QueuedStream(device, index, core, priority) {}
  /// Waits until idle (wait_idle()).
  ~CpuStream() override { wait_idle(); }

 private:
  bool process(Item& item) override;
  void run_work(std::function<void()>& work);
  void run_record(Item& item);
  void end_wait(const EventState& event);

  // Touched only by the drain job, of which one runs at a time (ordered by the queue's mutex,
  // the job queues and the events' mutexes).
  std::exception_ptr error_;
  std::uint64_t work_items_ = 0;
};

}  // namespace neat::detail
