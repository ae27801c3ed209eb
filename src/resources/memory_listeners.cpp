#include "memory_listeners.hpp"

#include <algorithm>
#include <type_traits>

namespace neat::detail {

ListenerId MemoryListenerHub::add(MemoryListener listener) {
  const std::lock_guard<std::mutex> lock(mutex_);
  listener.id = next_id_++;
  ++(listener.on_release ? release_listeners_ : change_listeners_);
  const ListenerId id = listener.id;
  listeners_.push_back(std::make_shared<const MemoryListener>(std::move(listener)));
  return id;
}

bool MemoryListenerHub::remove(ListenerId id) {
  std::unique_lock<std::mutex> lock(mutex_);
  const auto it = std::find_if(listeners_.begin(), listeners_.end(),
                               [id](const auto& listener) { return listener->id == id; });
  if (it == listeners_.end()) return false;
  --((*it)->on_release ? release_listeners_ : change_listeners_);
  listeners_.erase(it);
  // A call that started before the erase may still hold the listener: wait for it, unless this
  // thread is the one making it (a listener unsubscribing itself or another).
  if (delivering_ && deliverer_ != std::this_thread::get_id()) {
    const std::uint64_t started = calls_started_;
    calls_done_.wait(lock, [&] { return calls_finished_ >= started; });
  }
  return true;
}

bool MemoryListenerHub::wants_releases() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return release_listeners_ > 0;
}

void MemoryListenerHub::post(MemoryEvent event) {
  const std::lock_guard<std::mutex> lock(mutex_);
  const bool release = std::holds_alternative<MemoryReleased>(event);
  if ((release ? release_listeners_ : change_listeners_) == 0) return;
  pending_.push_back(std::move(event));
}

void MemoryListenerHub::deliver() noexcept {
  std::unique_lock<std::mutex> lock(mutex_);
  if (delivering_) return;  // the thread delivering takes our events too
  delivering_ = true;
  deliverer_ = std::this_thread::get_id();
  while (!pending_.empty()) {
    const MemoryEvent event = std::move(pending_.front());
    pending_.pop_front();
    const Listeners listeners = listeners_;
    ++calls_started_;
    lock.unlock();
    call(event, listeners);
    lock.lock();
    ++calls_finished_;
    calls_done_.notify_all();
  }
  delivering_ = false;
  deliverer_ = std::thread::id();
}

void MemoryListenerHub::call(const MemoryEvent& event, const Listeners& listeners) noexcept {
  std::visit(
      [&listeners](const auto& e) {
        for (const auto& listener : listeners) {
          if constexpr (std::is_same_v<std::decay_t<decltype(e)>, MemoryReleased>) {
            if (listener->on_release) listener->on_release(e);
          } else {
            if (listener->on_change) listener->on_change(e);
          }
        }
      },
      event);
}

}  // namespace neat::detail
