#include "neat/trace/event_recorder.hpp"

#include "trace/event_log.hpp"

namespace neat {

using detail::EventKind;

EventRecorder::EventRecorder(std::size_t workers)
    : log_(std::make_unique<detail::EventLog>(workers)) {}

EventRecorder::~EventRecorder() = default;

void EventRecorder::on_run_begin(const RunEvent& event) {
  log_->record_run(EventKind::run_begin, event);
}
void EventRecorder::on_run_end(const RunEvent& event) {
  log_->record_run(EventKind::run_end, event);
}
void EventRecorder::on_operation_ready(const OperationEvent& event) {
  log_->record_operation(EventKind::ready, event);
}
void EventRecorder::on_operation_start(const OperationEvent& event) {
  log_->record_operation(EventKind::start, event);
}
void EventRecorder::on_operation_end(const OperationEvent& event) {
  log_->record_operation(EventKind::end, event);
}
void EventRecorder::on_steal(const StealEvent& event) { log_->record_steal(event); }
void EventRecorder::on_worker_sleep(std::size_t worker, Clock::time_point time) {
  log_->record_worker(EventKind::sleep, worker, time);
}
void EventRecorder::on_worker_wake(std::size_t worker, Clock::time_point time) {
  log_->record_worker(EventKind::wake, worker, time);
}

void EventRecorder::clear() { log_->clear(); }

std::size_t EventRecorder::workers() const noexcept { return log_->workers(); }

}  // namespace neat
