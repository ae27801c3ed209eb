// The listeners of a MemoryBudgetManager and the events waiting for them. Internal.
//
// [resources.memory.listeners] Events are posted under the manager's lock (so their order is
// the order of the state changes) and delivered by deliver() with no lock held. One thread
// delivers at a time: a thread that finds another delivering leaves its events to it, and a
// listener that causes events (it calls the manager) finds itself delivering, so they wait until
// it returns. Lock order: the manager's mutex, then this hub's; the hub calls nothing while
// holding its own.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <variant>
#include <vector>

#include "neat/resources/memory_budget.hpp"

namespace neat::detail {

struct MemoryListener {
  ListenerId id = 0;
  std::function<void(const PressureChange&)> on_change;  // one of the two is set
  std::function<void(const MemoryReleased&)> on_release;
};

using MemoryEvent = std::variant<PressureChange, MemoryReleased>;

class MemoryListenerHub {
 public:
  ListenerId add(MemoryListener listener);
  bool remove(ListenerId id);
  /// Whether anyone listens to releases (so the caller can skip building the event).
  [[nodiscard]] bool wants_releases() const;
  /// Queue an event (dropped when nobody listens to its kind). The listeners that get it are
  /// those subscribed when it is delivered.
  void post(MemoryEvent event);
  /// Call the listeners for every queued event, unless another thread is doing so.
  void deliver() noexcept;

 private:
  using Listeners = std::vector<std::shared_ptr<const MemoryListener>>;
  static void call(const MemoryEvent& event, const Listeners& listeners) noexcept;

  mutable std::mutex mutex_;
  std::condition_variable calls_done_;
  // Guarded by mutex_:
  Listeners listeners_;
  std::size_t change_listeners_ = 0;
  std::size_t release_listeners_ = 0;
  ListenerId next_id_ = 1;
  std::deque<MemoryEvent> pending_;
  bool delivering_ = false;
  std::thread::id deliverer_;
  std::uint64_t calls_started_ = 0;
  std::uint64_t calls_finished_ = 0;
};

}  // namespace neat::detail
