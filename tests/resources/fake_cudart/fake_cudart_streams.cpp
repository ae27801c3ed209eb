// The stand-in runtime's streams and events (test-only). A stream is a thread that runs its
// operations in order — kernels (fake_cudart_launch_kernel), host functions, event records and
// waits — so work really completes after the call that enqueued it returned. An event counts
// its records; cudaStreamWaitEvent waits for the latest record at the time of the call, as CUDA
// does, so a pooled event can be recorded again right after.
#include <map>
#include <memory>

#include "fake_cudart.hpp"

namespace fake_cudart {

bool& on_stream_thread() {
  thread_local bool on = false;
  return on;
}

bool& in_host_function() {
  thread_local bool in = false;
  return in;
}

Stream::Stream(int device) : device_(device), thread_([this] { run(); }) {}

Stream::~Stream() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Stream::push(std::function<void()> op) {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    ops_.push_back(std::move(op));
  }
  cv_.notify_all();
}

void Stream::run() {
  on_stream_thread() = true;
  for (;;) {
    std::function<void()> op;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !ops_.empty(); });
      if (ops_.empty()) return;  // stopping, and everything ran
      op = std::move(ops_.front());
      ops_.pop_front();
    }
    op();
  }
}

std::uint64_t Event::next_record() {
  const std::lock_guard<std::mutex> lock(mutex_);
  return ++recorded_;
}

std::uint64_t Event::latest_record() {
  const std::lock_guard<std::mutex> lock(mutex_);
  return recorded_;
}

void Event::pass(std::uint64_t number) {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (number > passed_) passed_ = number;
  }
  cv_.notify_all();
}

void Event::wait_for(std::uint64_t number) {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait(lock, [this, number] { return passed_ >= number; });
}

bool Event::complete() {
  const std::lock_guard<std::mutex> lock(mutex_);
  return passed_ >= recorded_;
}

namespace {

std::mutex g_handles_mutex;
std::map<void*, std::unique_ptr<Stream>> g_streams;  // guarded by g_handles_mutex
std::map<void*, std::shared_ptr<Event>> g_events;    // guarded by g_handles_mutex

Stream* find_stream(void* handle) {
  const std::lock_guard<std::mutex> lock(g_handles_mutex);
  const auto found = g_streams.find(handle);
  return found == g_streams.end() ? nullptr : found->second.get();
}

std::shared_ptr<Event> find_event(void* handle) {
  const std::lock_guard<std::mutex> lock(g_handles_mutex);
  const auto found = g_events.find(handle);
  return found == g_events.end() ? nullptr : found->second;
}

/// Make a `Held` (a stream or an event) on the calling thread's current device, unless `call`
/// fails; store it under its address, which is its handle.
template <class Held>
int create(const char* call, std::map<void*, Held>& handles, void** handle) {
  if (const int e = enter(call, current_device()); e != 0) return e;
  Held held(new typename Held::element_type(current_device()));
  *handle = held.get();
  const std::lock_guard<std::mutex> lock(g_handles_mutex);
  handles.emplace(*handle, std::move(held));
  return 0;
}

/// Remove `handle` from `handles`; what it held (nullptr for an unknown handle), to be
/// destroyed outside the lock.
template <class Held>
Held take(std::map<void*, Held>& handles, void* handle) {
  const std::lock_guard<std::mutex> lock(g_handles_mutex);
  const auto found = handles.find(handle);
  if (found == handles.end()) return nullptr;
  Held held = std::move(found->second);
  handles.erase(found);
  return held;
}

}  // namespace
}  // namespace fake_cudart

using fake_cudart::enter;
using fake_cudart::find_event;
using fake_cudart::find_stream;
using fake_cudart::k_error_invalid_handle;

extern "C" {

int cudaStreamCreate(void** stream) {
  return fake_cudart::create("cudaStreamCreate", fake_cudart::g_streams, stream);
}

int cudaStreamDestroy(void* stream) {
  const auto destroyed = fake_cudart::take(fake_cudart::g_streams, stream);  // drains, joins
  return destroyed ? enter("cudaStreamDestroy", destroyed->device()) : k_error_invalid_handle;
}

int cudaLaunchHostFunc(void* stream, void (*fn)(void*), void* data) {
  fake_cudart::Stream* s = find_stream(stream);
  if (s == nullptr) return k_error_invalid_handle;
  if (const int e = enter("cudaLaunchHostFunc", s->device()); e != 0) return e;
  s->push([fn, data] {
    fake_cudart::in_host_function() = true;
    fn(data);
    fake_cudart::in_host_function() = false;
  });
  return 0;
}

int cudaEventCreate(void** event) {
  return fake_cudart::create("cudaEventCreate", fake_cudart::g_events, event);
}

int cudaEventDestroy(void* event) {
  // Queued waits keep their own reference to the event.
  const auto destroyed = fake_cudart::take(fake_cudart::g_events, event);
  return destroyed ? enter("cudaEventDestroy", destroyed->device()) : k_error_invalid_handle;
}

int cudaEventRecord(void* event, void* stream) {
  fake_cudart::Stream* s = find_stream(stream);
  std::shared_ptr<fake_cudart::Event> e = find_event(event);
  if (s == nullptr || e == nullptr || e->device() != s->device()) return k_error_invalid_handle;
  if (const int error = enter("cudaEventRecord", s->device()); error != 0) return error;
  s->push([e, number = e->next_record()] { e->pass(number); });
  return 0;
}

int cudaStreamWaitEvent(void* stream, void* event, unsigned /*flags*/) {
  fake_cudart::Stream* s = find_stream(stream);
  std::shared_ptr<fake_cudart::Event> e = find_event(event);
  if (s == nullptr || e == nullptr) return k_error_invalid_handle;
  if (const int error = enter("cudaStreamWaitEvent", s->device()); error != 0) return error;
  s->push([e, number = e->latest_record()] { e->wait_for(number); });
  return 0;
}

int cudaEventQuery(void* event) {
  std::shared_ptr<fake_cudart::Event> e = find_event(event);
  if (e == nullptr) return k_error_invalid_handle;
  if (const int error = enter("cudaEventQuery", e->device()); error != 0) return error;
  return e->complete() ? 0 : fake_cudart::k_error_not_ready;
}

/// A stand-in for a kernel launch: run `fn(data)` on the stream, in order with its other work.
/// Fails with "invalid resource handle" when the calling thread's current device is not the
/// stream's (the mistake a kernel launch on the wrong device makes).
int fake_cudart_launch_kernel(void* stream, void (*fn)(void*), void* data) {
  fake_cudart::Stream* s = find_stream(stream);
  if (s == nullptr || s->device() != fake_cudart::current_device()) return k_error_invalid_handle;
  if (const int e = enter("fake_cudart_launch_kernel", s->device()); e != 0) return e;
  s->push([fn, data] { fn(data); });
  return 0;
}

/// Whether the calling thread is one of the fake GPU's stream threads.
int fake_cudart_on_stream_thread() {
  return fake_cudart::on_stream_thread() ? 1 : 0;
}

int fake_cudart_live_streams() {
  const std::lock_guard<std::mutex> lock(fake_cudart::g_handles_mutex);
  return static_cast<int>(fake_cudart::g_streams.size());
}

int fake_cudart_live_events() {
  const std::lock_guard<std::mutex> lock(fake_cudart::g_handles_mutex);
  return static_cast<int>(fake_cudart::g_events.size());
}

}  // extern "C"
