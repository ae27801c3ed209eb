// ChromeTraceWriter: an Observer that records a run's events and writes them as Chrome
// trace-event JSON, which opens in Perfetto (ui.perfetto.dev) and chrome://tracing.
//
// Layout of the trace: one process ("neatsched", pid 1); one row per worker (tid = worker + 1,
// named "worker <k>") and one extra row named "caller" for events from threads that are not
// workers. Each operation that ran is a complete event ("X", ts/dur in microseconds relative to
// the earliest event) named after the operation ("op#<index>" when anonymous) with category =
// component ("none" when empty) and args {component, priority, status, operation, run_id,
// wait_us}; wait_us is ready -> start. Operations that ended without starting (cancelled) are
// instant events ("i") with their status. Steals are instants named "steal" on the thief's row;
// a worker's sleep -> wake is an "X" event named "idle" (category "idle"); each run is an async
// span ("b"/"e", id = run id, category "run") named "run <id>", since runs may overlap. Several
// runs may share one trace.
//
// Thread-safety: the on_* callbacks may be called concurrently from every worker; each worker
// appends to its own buffer without a lock (events of non-workers, run begin/end and worker
// indices beyond `workers` take one mutex). write(), write_file() and clear() may be called
// while workers record (idle workers report sleep/wake even between runs) but not concurrently
// with one another; they never block workers. Call write() after RunHandle::wait() for a
// complete run: while a run is in flight it shows what was recorded so far.
//
// Usage:
//   neat::ChromeTraceWriter trace(workers);              // the executor's worker count
//   neat::ParallelExecutor executor({.workers = workers, .observer = &trace});
//   executor.run(graph).wait();
//   trace.write_file("run.trace.json");                  // open in ui.perfetto.dev
#pragma once

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string>

#include "neat/trace/event_recorder.hpp"

namespace neat {
class ChromeTraceWriter final : public EventRecorder {
 public:
  /// `workers`: the executor's worker count. Events of larger worker indices are still recorded
  /// (through the shared, locked buffer) and get their own rows.
  explicit ChromeTraceWriter(std::size_t workers, std::string process_name = "neatsched");
  ~ChromeTraceWriter() override;
  ChromeTraceWriter(const ChromeTraceWriter&) = delete;
  ChromeTraceWriter& operator=(const ChromeTraceWriter&) = delete;

  /// Write the trace as JSON text: {"traceEvents":[...],"displayTimeUnit":"ns"}. Strings are
  /// escaped; bytes that are not valid UTF-8 become U+FFFD. Operations still running show as
  /// "X" events lasting until the latest event, with status "running".
  void write(std::ostream& out) const;
  /// write() into a file (created or truncated). Throws neat::Error naming the path when the
  /// file cannot be opened or written.
  void write_file(const std::string& path) const;

 private:
  std::string process_name_;
};

}  // namespace neat
