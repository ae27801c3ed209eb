// Devices, streams and events: where work runs besides the executor's own graphs, with no
// CUDA (or any other vendor) type in sight. [core.device]
//
// - A Device (a CPU, a GPU) owns a pool of Streams and says what memory it has.
// - A Stream is an in-order queue of work on its device: each item starts after the previous
//   one finished; different streams run in parallel.
// - An Event marks a point in a stream: it completes when everything submitted to the stream
//   before it has finished. Another stream can wait() for it (an edge between streams), a
//   callback can follow it (then()), a thread can block on it (wait()).
//
// Everything completes asynchronously on the executor's workers: a stream that waits for an
// event holds no worker (it is parked and re-posted when the event completes), then-callbacks
// run as jobs on workers, and waiting from inside a worker helps run other work instead of
// blocking (contract 3). The executor must outlive its devices and events.
//
// Errors: work that throws fails its stream: the exception is kept (wrapped in
// neat::OperationFailed naming the stream and the item), the stream's later work is skipped and
// its later events complete with that error, until Stream::synchronize() rethrows and clears
// it. A stream that waits on a failed event fails with the same error. Misuse (no work, an
// event recorded twice or belonging to another executor, a stream index out of range) throws
// neat::Error and changes nothing.
//
// Thread-safety: every member may be called from any thread, concurrently, including from
// inside stream work and executor operations, except where a member says otherwise.
//
//   neat::ParallelExecutor executor;
//   neat::CpuDevice cpu(executor, {.streams = 2});     // neat/core/cpu_device.hpp
//   neat::Event loaded(executor);
//   cpu.stream(0).submit([] { load(); });
//   cpu.stream(0).record(loaded);                       // completes after load()
//   cpu.stream(1).wait(loaded);                         // an edge between the two streams
//   cpu.stream(1).submit([] { compute(); });            // runs after load(), on a worker
//   loaded.then([] { log("loaded"); });                 // a job on a worker, once loaded
//   cpu.synchronize();                                  // rethrows the first failure
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "neat/common/types.hpp"
#include "neat/core/run_handle.hpp"

namespace neat {

class ParallelExecutor;
class Device;
namespace detail {
class EventState;
}

enum class DeviceKind : std::uint8_t { cpu, gpu };
[[nodiscard]] std::string_view to_string(DeviceKind kind) noexcept;

/// A device's memory, in bytes: its total and what is free now (for a CPU: the process's
/// headroom, the smaller of what is available and what the cgroup limit leaves).
struct DeviceMemory {
  std::uint64_t total_bytes = 0;
  std::uint64_t free_bytes = 0;
};

/// A one-shot completion, recorded once on a stream. A cheap handle: copies share the event.
/// Unlike a CUDA event, an event that is not recorded yet is not complete: wait() and
/// Stream::wait() wait for it to be recorded and then to complete.
class Event {
 public:
  /// A fresh, unrecorded event whose callbacks run on `executor`'s workers.
  explicit Event(ParallelExecutor& executor);

  /// Whether a stream recorded it. Never blocks.
  [[nodiscard]] bool recorded() const noexcept;
  /// Whether it completed (successfully or not). Never blocks.
  [[nodiscard]] bool query() const noexcept;
  /// The error it completed with (its stream's failure), or nullptr. Never blocks.
  [[nodiscard]] std::exception_ptr error() const noexcept;

  /// Run `callback` as a job on a worker once the event completes (at once when it already
  /// has). Never blocks. The callback must not throw: an exception escaping it calls
  /// std::terminate, as for a std::thread; do fallible work on a stream. Throws neat::Error
  /// when `callback` is empty.
  void then(std::function<void()> callback) const;

  /// Block until complete, then rethrow its error. On a worker of its executor it helps run
  /// other work instead of blocking. Throws neat::Error when called from the work of the stream
  /// that recorded it while it is incomplete (it would wait for itself).
  void wait() const;
  /// Like wait(), but gives up after `timeout`; never rethrows.
  [[nodiscard]] WaitStatus wait_for(std::chrono::nanoseconds timeout) const;

 private:
  friend class Stream;
  std::shared_ptr<detail::EventState> state_;
};

/// An in-order queue of work on one device. Backends implement the enqueue_* hooks; the public
/// members check their arguments first.
class Stream {
 public:
  virtual ~Stream() = default;
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  [[nodiscard]] Device& device() const noexcept { return device_; }
  [[nodiscard]] std::size_t index() const noexcept { return index_; }

  /// Run `work` after everything submitted before it. Never blocks. Throws neat::Error when
  /// `work` is empty.
  void submit(std::function<void()> work);
  /// `event` completes once everything submitted before this call has finished. Never blocks.
  /// Throws neat::Error when the event was recorded already or belongs to another executor.
  void record(Event& event);
  /// Work submitted after this call starts only once `event` completed. Never blocks, and the
  /// stream holds no worker while it waits. Throws neat::Error for another executor's event.
  void wait(const Event& event);
  /// Run `callback` (as Event::then) once everything submitted before this call has finished.
  void on_idle(std::function<void()> callback);

  /// Wait (helping, on a worker) until everything submitted before this call has finished,
  /// then rethrow the stream's first failure since the last synchronize() and clear it.
  /// Throws neat::Error when called from this stream's own work.
  void synchronize();

  /// Items (work, records, waits) submitted and not finished yet. Never blocks.
  [[nodiscard]] virtual std::size_t pending() const noexcept = 0;
  /// Work items that threw, since the stream was made.
  [[nodiscard]] virtual std::size_t failure_count() const noexcept = 0;

 protected:
  /// `priority`: of the jobs that run the then-callbacks of events recorded on it.
  Stream(Device& device, std::size_t index, ExecutionPriority priority) noexcept
      : device_(device), index_(index), priority_(priority) {}
  [[nodiscard]] ExecutionPriority priority() const noexcept { return priority_; }
  virtual void enqueue_work(std::function<void()> work) = 0;
  /// `clear_error`: complete the event with the stream's error and clear it. Such an event is
  /// synchronize()'s marker, held by its waiter until complete: a backend may drop its own
  /// reference before finishing it, and should (see [core.device.error]).
  virtual void enqueue_record(std::shared_ptr<detail::EventState> event, bool clear_error) = 0;
  virtual void enqueue_wait(std::shared_ptr<detail::EventState> event) = 0;

 private:
  Device& device_;
  std::size_t index_;
  ExecutionPriority priority_;
};

/// A place where work runs: a kind, an index among devices of its kind, a pool of streams.
class Device {
 public:
  virtual ~Device() = default;
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  [[nodiscard]] DeviceKind kind() const noexcept { return kind_; }
  [[nodiscard]] int index() const noexcept { return index_; }
  /// What the device calls itself ("cpu", a GPU's product name).
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  /// Kind and index, "cpu0" or "gpu1": the device's key in profiles and placement reasons.
  [[nodiscard]] const std::string& label() const noexcept { return label_; }
  /// The executor whose workers receive its completions.
  [[nodiscard]] ParallelExecutor& executor() const noexcept { return executor_; }

  [[nodiscard]] virtual DeviceMemory memory() const = 0;
  /// How many operations it runs at once (the placer divides its backlog by this), >= 1.
  [[nodiscard]] virtual std::size_t concurrency() const noexcept = 0;
  /// At least one.
  [[nodiscard]] virtual std::size_t stream_count() const noexcept = 0;

  /// Stream `i`. Throws neat::Error naming `i` and the count when out of range.
  [[nodiscard]] Stream& stream(std::size_t i);
  /// The stream with the fewest pending items (the lowest index among equals).
  [[nodiscard]] Stream& least_busy_stream();
  /// synchronize() every stream; rethrows the first failure (by stream index) after all of
  /// them finished. Each stream's failures stay counted in its failure_count().
  void synchronize();

 protected:
  /// Throws neat::Error when `index` is negative.
  Device(DeviceKind kind, int index, std::string name, ParallelExecutor& executor);
  [[nodiscard]] virtual Stream& stream_at(std::size_t i) noexcept = 0;

 private:
  DeviceKind kind_;
  int index_;
  std::string name_;
  std::string label_;
  ParallelExecutor& executor_;
};

}  // namespace neat
