// Stream and Device: argument checks and the members every backend shares. [core.device]
#include "neat/core/device.hpp"

#include <fmt/format.h>

#include "core/device_event.hpp"
#include "core/executor_core.hpp"
#include "neat/common/error.hpp"

namespace neat {

std::string_view to_string(DeviceKind kind) noexcept {
  return kind == DeviceKind::cpu ? "cpu" : "gpu";
}

namespace {

void check_executor(const detail::EventState& event, const Stream& stream, const char* what) {
  if (&event.core() != &detail::core_of(stream.device().executor())) {
    throw Error(fmt::format("Stream::{} on {} stream {}: the event belongs to another executor",
                            what, stream.device().label(), stream.index()));
  }
}

}  // namespace

void Stream::submit(std::function<void()> work) {
  if (!work) {
    throw Error(
        fmt::format("Stream::submit on {} stream {}: the work is empty", device_.label(), index_));
  }
  enqueue_work(std::move(work));
}

void Stream::record(Event& event) {
  check_executor(*event.state_, *this, "record");
  if (!event.state_->mark_recorded(*this, priority_)) {
    throw Error(
        fmt::format("Stream::record on {} stream {}: the event was recorded already "
                    "(an Event is recorded once; make a new one)",
                    device_.label(), index_));
  }
  enqueue_record(event.state_, false);
}

void Stream::wait(const Event& event) {
  check_executor(*event.state_, *this, "wait");
  enqueue_wait(event.state_);
}

void Stream::on_idle(std::function<void()> callback) {
  if (!callback) {
    throw Error(fmt::format("Stream::on_idle on {} stream {}: the callback is empty",
                            device_.label(), index_));
  }
  Event idle(device_.executor());
  record(idle);
  idle.then(std::move(callback));
}

void Stream::synchronize() {
  if (detail::running_stream() == this) {
    throw Error(
        fmt::format("Stream::synchronize on {} stream {}: called from the stream's own "
                    "work, which would wait for itself",
                    device_.label(), index_));
  }
  Event marker(device_.executor());
  (void)marker.state_->mark_recorded(*this, priority_);
  enqueue_record(marker.state_, true);
  marker.wait();
}

Device::Device(DeviceKind kind, int index, std::string name, ParallelExecutor& executor)
    : kind_(kind),
      index_(index),
      name_(std::move(name)),
      label_(fmt::format("{}{}", to_string(kind), index)),
      executor_(executor) {
  if (index < 0)
    throw Error(fmt::format("{} device '{}': index {} is negative", to_string(kind), name_, index));
}

Stream& Device::stream(std::size_t i) {
  if (i >= stream_count()) {
    throw Error(fmt::format("{}: stream {} requested, the device has {} stream(s)", label_, i,
                            stream_count()));
  }
  return stream_at(i);
}

Stream& Device::least_busy_stream() {
  std::size_t best = 0;
  std::size_t best_pending = stream_at(0).pending();
  for (std::size_t i = 1; i < stream_count() && best_pending != 0; ++i) {
    const std::size_t pending = stream_at(i).pending();
    if (pending < best_pending) {
      best = i;
      best_pending = pending;
    }
  }
  return stream_at(best);
}

void Device::synchronize() {
  std::exception_ptr first;
  for (std::size_t i = 0; i < stream_count(); ++i) {
    try {
      stream_at(i).synchronize();
    } catch (...) {
      if (!first) first = std::current_exception();
    }
  }
  if (first) std::rethrow_exception(first);
}

}  // namespace neat
