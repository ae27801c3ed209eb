// CpuStream: a stream whose items run as jobs on the executor's workers. [core.device.cpu]
//
// One drain job at a time runs the stream's items in order (at most k_items_per_job, then it
// re-posts itself so that other jobs get a turn). An item that waits for an incomplete event
// parks the stream: the drain job returns, and the event's completion posts the next one.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>

#include "core/device_event.hpp"
#include "neat/core/device.hpp"

namespace neat::detail {

class ExecutorCore;

class CpuStream final : public Stream {
 public:
  static constexpr int k_items_per_job = 64;

  CpuStream(Device& device, std::size_t index, ExecutorCore& core, ExecutionPriority priority);
  /// Waits until idle (wait_idle()).
  ~CpuStream() override;

  [[nodiscard]] std::size_t pending() const noexcept override {
    return pending_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::size_t failure_count() const noexcept override {
    return failures_.load(std::memory_order_relaxed);
  }
  /// Block (help, on a worker) until no item is queued and no drain job is posted or running.
  void wait_idle();

 protected:
  void enqueue_work(std::function<void()> work) override;
  void enqueue_record(std::shared_ptr<EventState> event, bool clear_error) override;
  void enqueue_wait(std::shared_ptr<EventState> event) override;

 private:
  enum class Kind : std::uint8_t { work, record, wait };
  struct Item {
    Kind kind = Kind::work;
    std::function<void()> work{};
    std::shared_ptr<EventState> event{};
    bool clear_error = false;
  };

  void enqueue(Item item);
  void post_drain();
  void drain();
  /// False when the item parked the stream on an incomplete event.
  bool process(Item& item);
  void run_work(std::function<void()>& work);
  void end_wait(const EventState& event);
  [[nodiscard]] bool idle() const;

  ExecutorCore& core_;
  mutable std::mutex mutex_;
  std::condition_variable idle_cv_;
  std::deque<Item> queue_;  // guarded by mutex_
  bool scheduled_ = false;  // guarded by mutex_: a drain job is posted, running or parked
  std::atomic<std::size_t> pending_{0};
  std::atomic<std::size_t> failures_{0};
  // Touched only by the drain job, of which one runs at a time (ordered by mutex_, the job
  // queues and the events' mutexes).
  std::exception_ptr error_;
  std::uint64_t work_items_ = 0;
};

}  // namespace neat::detail
