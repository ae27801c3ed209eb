// Internals of the stand-in CUDA runtime (test-only), shared by its two source files: the
// knobs and call counting (fake_cudart.cpp) and the asynchronous streams and events
// (fake_cudart_streams.cpp). Nothing here is seen by neatsched, which only dlopen()s the module.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace fake_cudart {

inline constexpr int k_error_invalid_device = 101;  // cudaErrorInvalidDevice
inline constexpr int k_error_invalid_handle = 400;  // cudaErrorInvalidResourceHandle
inline constexpr int k_error_not_ready = 600;       // cudaErrorNotReady
inline constexpr int k_error_not_permitted = 800;   // cudaErrorNotPermitted

/// Count `call` and say what it returns: 0, the configured error, or k_error_not_permitted when
/// called from a host function (CUDA forbids that; counted as a violation).
int enter(const char* call, int device);

/// The calling thread's current device (CUDA's is per host thread too).
int& current_device();

/// A stream: a thread that runs its operations in order, like a GPU queue.
class Stream {
 public:
  explicit Stream(int device);
  /// Runs what is queued, then stops its thread.
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  [[nodiscard]] int device() const noexcept { return device_; }
  void push(std::function<void()> op);

 private:
  void run();

  const int device_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> ops_;  // guarded by mutex_
  bool stopping_ = false;                  // guarded by mutex_
  std::thread thread_;
};

/// An event: records are numbered; it completes a record when its stream passes it.
class Event {
 public:
  explicit Event(int device) : device_(device) {}
  [[nodiscard]] int device() const noexcept { return device_; }
  /// Number the next record (called when cudaEventRecord is).
  std::uint64_t next_record();
  /// The latest record number (what cudaStreamWaitEvent waits for).
  std::uint64_t latest_record();
  /// Mark record `number` passed.
  void pass(std::uint64_t number);
  /// Block until record `number` was passed.
  void wait_for(std::uint64_t number);
  [[nodiscard]] bool complete();

 private:
  const int device_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::uint64_t recorded_ = 0;  // guarded by mutex_
  std::uint64_t passed_ = 0;    // guarded by mutex_
};

/// Whether the calling thread is a fake stream's thread, and whether it is inside a host
/// function now.
bool& on_stream_thread();
bool& in_host_function();

}  // namespace fake_cudart
