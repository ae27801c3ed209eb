// QueuedStream: the host-side queue that stream backends share. [core.device.queue]
//
// Items (work, records, waits) are kept in submission order and drained by one job at a time
// on the executor's workers (at most k_items_per_job, then the job re-posts itself so that
// other jobs get a turn). The backend says what an item does (process()); an item that must
// wait parks the queue: process() returns false after arranging for continue_with(item) to be
// called later, and no worker is held meanwhile. Used by CpuStream and the CUDA backend.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include "core/device_event.hpp"
#include "neat/core/device.hpp"

namespace neat::detail {

class ExecutorCore;

class QueuedStream : public Stream {
 public:
  static constexpr int k_items_per_job = 64;

  [[nodiscard]] std::size_t pending() const noexcept final {
    return pending_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::size_t failure_count() const noexcept final {
    return failures_.load(std::memory_order_relaxed);
  }
  /// Block (help, on a worker) until no item is queued and no drain job is posted, running or
  /// parked. A backend's destructor calls it first, while process() can still run.
  void wait_idle();

 protected:
  enum class Kind : std::uint8_t { work, record, wait };
  struct Item {
    Kind kind = Kind::work;
    std::function<void()> work{};
    std::shared_ptr<EventState> event{};
    bool clear_error = false;  // a record: synchronize()'s marker
  };

  QueuedStream(Device& device, std::size_t index, ExecutorCore& core, ExecutionPriority priority)
      : Stream(device, index, priority), core_(core) {}

  [[nodiscard]] ExecutorCore& core() const noexcept { return core_; }
  /// Run `item`. False when it parked the queue: the backend calls continue_with() later.
  virtual bool process(Item& item) = 0;
  /// Called by record() before the item is queued (the CUDA backend registers a GPU mark).
  virtual void recording(const EventState& /*event*/, bool /*clear_error*/) {}
  /// After a park: a job processes `item`, then drains on.
  void continue_with(Item item);
  /// One item less pending; one failure more.
  void item_done() noexcept { pending_.fetch_sub(1, std::memory_order_relaxed); }
  void count_failure() noexcept { failures_.fetch_add(1, std::memory_order_relaxed); }

 private:
  void enqueue_work(std::function<void()> work) final;
  void enqueue_record(std::shared_ptr<EventState> event, bool clear_error) final;
  void enqueue_wait(std::shared_ptr<EventState> event) final;
  void enqueue(Item item);
  void post_drain();
  void drain();
  [[nodiscard]] bool idle() const;

  ExecutorCore& core_;
  mutable std::mutex mutex_;
  std::condition_variable idle_cv_;
  std::deque<Item> queue_;  // guarded by mutex_
  bool scheduled_ = false;  // guarded by mutex_: a drain job is posted, running or parked
  std::atomic<std::size_t> pending_{0};
  std::atomic<std::size_t> failures_{0};
};

}  // namespace neat::detail
