#include "neat/trace/multicast_observer.hpp"

#include <fmt/format.h>

#include "neat/common/error.hpp"

namespace neat {

MulticastObserver::MulticastObserver(std::initializer_list<Observer*> observers) {
  std::size_t position = 0;
  for (Observer* observer : observers) {
    if (observer == nullptr) {
      throw Error(
          fmt::format("MulticastObserver: observer #{} of {} is null", position, observers.size()));
    }
    add(*observer);
    ++position;
  }
}

void MulticastObserver::add(Observer& observer) {
  observers_.push_back(&observer);
}

void MulticastObserver::on_run_begin(const RunEvent& event) {
  for (Observer* o : observers_) o->on_run_begin(event);
}
void MulticastObserver::on_run_end(const RunEvent& event) {
  for (Observer* o : observers_) o->on_run_end(event);
}
void MulticastObserver::on_operation_ready(const OperationEvent& event) {
  for (Observer* o : observers_) o->on_operation_ready(event);
}
void MulticastObserver::on_operation_start(const OperationEvent& event) {
  for (Observer* o : observers_) o->on_operation_start(event);
}
void MulticastObserver::on_operation_end(const OperationEvent& event) {
  for (Observer* o : observers_) o->on_operation_end(event);
}
void MulticastObserver::on_steal(const StealEvent& event) {
  for (Observer* o : observers_) o->on_steal(event);
}

void MulticastObserver::on_batch_decision(const BatchDecisionEvent& event) {
  for (Observer* o : observers_) o->on_batch_decision(event);
}
void MulticastObserver::on_worker_sleep(std::size_t worker, Clock::time_point time) {
  for (Observer* o : observers_) o->on_worker_sleep(worker, time);
}
void MulticastObserver::on_worker_wake(std::size_t worker, Clock::time_point time) {
  for (Observer* o : observers_) o->on_worker_wake(worker, time);
}

}  // namespace neat
