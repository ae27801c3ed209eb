// EventLog: the recording half of every trace observer. Executor events are appended to one
// buffer per worker (no lock: only that worker's thread writes it, and it publishes each event
// with a release store); events from other threads, run begin/end and workers beyond the count
// given at construction go to one shared buffer under a mutex. timeline() merges the buffers
// and pairs ready/start/end of each operation and sleep/wake of each worker. [trace.log]
//
// Thread-safety: the record_* functions may be called concurrently, each worker index from one
// thread at a time (the executor's contract). timeline() and clear() may run while workers
// record (idle workers report sleep/wake even between runs), but not concurrently with each
// other. timeline() sees a consistent prefix of each worker's events.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "neat/detail/thread_annotations.hpp"
#include "neat/trace/observer.hpp"
#include "trace/published_log.hpp"

namespace neat::detail {

/// Interns strings so a record stores one pointer per name. The strings never move and are
/// kept until the table is destroyed, so a reader may follow a published record's pointer while
/// the writer interns more. intern() is writer-only.
class StringTable {
 public:
  StringTable() = default;
  StringTable(const StringTable&) = delete;
  StringTable& operator=(const StringTable&) = delete;

  /// The stored copy of `text`; nullptr for the empty string.
  [[nodiscard]] const std::string* intern(std::string_view text);
  [[nodiscard]] std::size_t size() const noexcept { return strings_.size(); }

 private:
  std::deque<std::string> strings_;  // deque: elements stay in place as it grows
  std::unordered_map<std::string_view, const std::string*> index_;
};

[[nodiscard]] inline std::string_view view(const std::string* interned) noexcept {
  return interned != nullptr ? std::string_view(*interned) : std::string_view();
}

enum class EventKind : std::uint8_t { run_begin, run_end, ready, start, end, steal, sleep, wake };

/// Worker indices and counts are stored in 32 bits (a record is 48 bytes); k_not_a_worker and
/// anything that does not fit become k_no_worker32.
inline constexpr std::uint32_t k_no_worker32 = 0xFFFFFFFFU;
[[nodiscard]] constexpr std::uint32_t compact(std::size_t value) noexcept {
  return value >= k_no_worker32 ? k_no_worker32 : static_cast<std::uint32_t>(value);
}
[[nodiscard]] constexpr std::size_t expand_worker(std::uint32_t worker) noexcept {
  return worker == k_no_worker32 ? k_not_a_worker : worker;
}

/// One recorded event.
struct EventRecord {
  Clock::time_point time{};
  std::uint64_t run_id = 0;
  const std::string* name = nullptr;  // interned in the buffer's table
  const std::string* component = nullptr;
  std::uint32_t worker = k_no_worker32;  // the thief for steals
  std::uint32_t operation = 0;           // operation events: index; run events: operation count
  std::uint32_t extra = 0;               // run events: worker count; steals: the victim
  EventKind kind = EventKind::ready;
  OpStatus status = OpStatus::pending;
  ExecutionPriority priority = ExecutionPriority::medium;
};

struct EventBuffer {
  PublishedLog<EventRecord> records;
  StringTable strings;
  // The last name and component interned: an operation's end repeats its start's names, and
  // neighbouring operations often share a component. Compared by content, so always right.
  const std::string* last_name = nullptr;
  const std::string* last_component = nullptr;
};

/// What became of one operation of one run, merged from every buffer.
struct OperationTimeline {
  std::uint64_t run_id = 0;
  std::uint32_t operation = 0;
  std::string_view name{};
  std::string_view component{};
  ExecutionPriority priority = ExecutionPriority::medium;
  OpStatus status = OpStatus::running;  // the terminal state once `end` is set
  std::size_t worker = k_not_a_worker;  // where it started, else where it ended
  std::optional<Clock::time_point> ready{};
  std::optional<Clock::time_point> start{};  // the first start
  std::optional<Clock::time_point> end{};    // the last end (its terminal state: `status`)
  /// One running segment per start: a coroutine operation that paused and resumed has several,
  /// each ended `paused` but the last. Graph operations have one.
  struct Segment {
    std::size_t worker = k_not_a_worker;
    Clock::time_point begin{};
    std::optional<Clock::time_point> end{};
    OpStatus ended_as = OpStatus::running;
  };
  std::vector<Segment> segments{};
};

struct RunTimeline {
  std::uint64_t run_id = 0;
  std::size_t operations = 0;
  std::size_t workers = 0;
  std::optional<Clock::time_point> begin{};
  std::optional<Clock::time_point> end{};
};

struct StealRecord {
  std::size_t thief = 0;
  std::size_t victim = 0;
  Clock::time_point time{};
};

/// One sleep of a worker; a sleep with no wake is closed at the latest event of the log.
struct IdleSpan {
  std::size_t worker = 0;
  Clock::time_point begin{};
  Clock::time_point end{};
};

/// Everything the log saw, merged. String views point into the log's tables: valid until the
/// log is destroyed.
struct Timeline {
  std::vector<RunTimeline> runs;              // in order of first appearance
  std::vector<OperationTimeline> operations;  // in order of first appearance
  std::vector<StealRecord> steals;
  std::vector<IdleSpan> idle;
  std::optional<Clock::time_point> first{};  // earliest event of any kind
  std::optional<Clock::time_point> last{};   // latest event of any kind
  std::size_t worker_rows = 0;  // max(workers at construction, run workers, worker seen + 1)
};

class EventLog {
 public:
  explicit EventLog(std::size_t workers);
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  void record_run(EventKind kind, const RunEvent& event);
  void record_operation(EventKind kind, const OperationEvent& event);
  void record_steal(const StealEvent& event);
  void record_worker(EventKind kind, std::size_t worker, Clock::time_point time);

  /// Merge every buffer: the events published so far.
  [[nodiscard]] Timeline timeline() const;
  /// Drop every event published so far (later ones are kept); frees their memory, not the
  /// interned names.
  void clear();
  [[nodiscard]] std::size_t workers() const noexcept { return per_worker_.size(); }

 private:
  // Padded so two workers' buffers never share a cache line.
  struct alignas(64) WorkerBuffer {
    EventBuffer buffer;
  };

  void append(EventRecord record, std::string_view name, std::string_view component);

  std::vector<WorkerBuffer> per_worker_;
  mutable Mutex shared_mutex_;
  EventBuffer shared_ NEAT_GUARDED_BY(shared_mutex_);
};

/// Microseconds between two time points, fractional.
[[nodiscard]] inline double micros_between(Clock::time_point from, Clock::time_point to) noexcept {
  return std::chrono::duration<double, std::micro>(to - from).count();
}

}  // namespace neat::detail
