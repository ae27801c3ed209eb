#include "trace/event_log.hpp"

#include <algorithm>
#include <functional>
#include <utility>

namespace neat::detail {

// Three records per operation: keep them small (they are most of a trace's memory).
static_assert(sizeof(void*) != 8 || sizeof(EventRecord) == 48);

namespace {

struct OperationKey {
  std::uint64_t run_id = 0;
  std::uint32_t operation = 0;
  bool operator==(const OperationKey&) const = default;
};

struct OperationKeyHash {
  std::size_t operator()(const OperationKey& key) const noexcept {
    return std::hash<std::uint64_t>{}((key.run_id * 0x9E3779B97F4A7C15ULL) ^ key.operation);
  }
};

struct SleepMark {
  std::size_t worker = 0;
  Clock::time_point time;
  bool asleep = false;  // true: went to sleep; false: woke up
};

const std::string* intern(StringTable& strings, const std::string*& last, std::string_view text) {
  if (text.empty()) return nullptr;
  if (last == nullptr || *last != text) last = strings.intern(text);
  return last;
}

void push(EventBuffer& buffer, EventRecord record, std::string_view name,
          std::string_view component) {
  record.name = intern(buffer.strings, buffer.last_name, name);
  record.component = intern(buffer.strings, buffer.last_component, component);
  buffer.records.push_back(record);
}

// Merges buffers into one Timeline. Buffers may arrive in any order, so "first" means
// earliest in time, not first seen.
class TimelineBuilder {
 public:
  explicit TimelineBuilder(std::size_t workers) { out_.worker_rows = workers; }

  void add(const EventBuffer& buffer) {
    buffer.records.for_each([this](const EventRecord& record) { add(record); });
  }

  Timeline finish() {
    pair_sleeps();
    build_segments();
    return std::move(out_);
  }

 private:
  void add(const EventRecord& record) {
    note_time(record.time);
    switch (record.kind) {
      case EventKind::run_begin:
      case EventKind::run_end:
        add_run(record);
        break;
      case EventKind::ready:
      case EventKind::start:
      case EventKind::end:
        add_operation(record);
        break;
      case EventKind::steal:
        out_.steals.push_back(
            {expand_worker(record.worker), expand_worker(record.extra), record.time});
        note_worker(expand_worker(record.worker));
        note_worker(expand_worker(record.extra));
        break;
      case EventKind::sleep:
      case EventKind::wake:
        sleeps_.push_back(
            {expand_worker(record.worker), record.time, record.kind == EventKind::sleep});
        note_worker(expand_worker(record.worker));
        break;
    }
  }

  void add_run(const EventRecord& record) {
    auto [it, inserted] = runs_.try_emplace(record.run_id, out_.runs.size());
    if (inserted) out_.runs.push_back({.run_id = record.run_id});
    RunTimeline& run = out_.runs[it->second];
    run.operations = std::max<std::size_t>(run.operations, record.operation);
    run.workers = std::max<std::size_t>(run.workers, record.extra);
    out_.worker_rows = std::max<std::size_t>(out_.worker_rows, record.extra);
    auto& slot = record.kind == EventKind::run_begin ? run.begin : run.end;
    if (!slot || record.time < *slot) slot = record.time;
  }

  void add_operation(const EventRecord& record) {
    const OperationKey key{record.run_id, record.operation};
    auto [it, inserted] = operations_.try_emplace(key, out_.operations.size());
    if (inserted) {
      out_.operations.push_back({.run_id = record.run_id, .operation = record.operation});
    }
    OperationTimeline& op = out_.operations[it->second];
    if (record.kind == EventKind::ready) {
      if (!op.ready || record.time < *op.ready) op.ready = record.time;
      return;
    }
    const std::size_t worker = expand_worker(record.worker);
    note_worker(worker);
    if (op.name.empty()) op.name = view(record.name);
    if (op.component.empty()) op.component = view(record.component);
    op.priority = record.priority;
    marks_.push_back({it->second, record.time, worker, record.kind == EventKind::start,
                      record.status});
    if (record.kind == EventKind::start) {
      // A resumed operation starts again; the first start is the one that ends its wait.
      if (!op.start || record.time < *op.start) {
        op.start = record.time;
        op.worker = worker;
      }
      return;
    }
    // A paused segment ends too; the last end is the operation's outcome.
    if (!op.end || record.time >= *op.end) {
      op.end = record.time;
      op.status = record.status;
    }
    if (!op.start) op.worker = worker;
  }

  // Starts and ends of each operation in time order: a start opens a segment, the next end
  // closes it (an end with none open is an operation that ended without starting).
  void build_segments() {
    std::stable_sort(marks_.begin(), marks_.end(), [](const Mark& a, const Mark& b) {
      return a.operation != b.operation ? a.operation < b.operation : a.time < b.time;
    });
    for (const Mark& mark : marks_) {
      auto& segments = out_.operations[mark.operation].segments;
      const bool open = !segments.empty() && !segments.back().end;
      if (mark.start) {
        if (open) segments.back().end = mark.time;  // a lost end: close at the next start
        segments.push_back({mark.worker, mark.time, std::nullopt, OpStatus::running});
      } else if (open) {
        segments.back().end = mark.time;
        segments.back().ended_as = mark.status;
      }
    }
  }

  void note_time(Clock::time_point time) {
    if (!out_.first || time < *out_.first) out_.first = time;
    if (!out_.last || time > *out_.last) out_.last = time;
  }

  void note_worker(std::size_t worker) {
    if (worker != k_not_a_worker) out_.worker_rows = std::max(out_.worker_rows, worker + 1);
  }

  // Each sleep opens a span that the worker's next wake closes; a second sleep before a wake
  // keeps the first; a wake with no sleep (observer attached late) is ignored.
  void pair_sleeps() {
    std::stable_sort(sleeps_.begin(), sleeps_.end(), [](const SleepMark& a, const SleepMark& b) {
      return a.worker != b.worker ? a.worker < b.worker : a.time < b.time;
    });
    bool asleep = false;
    Clock::time_point since{};
    for (std::size_t i = 0; i < sleeps_.size(); ++i) {
      const SleepMark& mark = sleeps_[i];
      if (mark.asleep && !asleep) {
        asleep = true;
        since = mark.time;
      } else if (!mark.asleep && asleep) {
        out_.idle.push_back({mark.worker, since, mark.time});
        asleep = false;
      }
      const bool last_of_worker = i + 1 == sleeps_.size() || sleeps_[i + 1].worker != mark.worker;
      if (last_of_worker && asleep) {
        out_.idle.push_back({mark.worker, since, std::max(since, *out_.last)});
        asleep = false;
      }
    }
  }

  Timeline out_;
  std::unordered_map<std::uint64_t, std::size_t> runs_;
  std::unordered_map<OperationKey, std::size_t, OperationKeyHash> operations_;
  std::vector<SleepMark> sleeps_;
  struct Mark {
    std::size_t operation;  // index into out_.operations
    Clock::time_point time;
    std::size_t worker;
    bool start;
    OpStatus status;
  };
  std::vector<Mark> marks_;
};

}  // namespace

const std::string* StringTable::intern(std::string_view text) {
  if (text.empty()) return nullptr;
  if (auto it = index_.find(text); it != index_.end()) return it->second;
  const std::string& stored = strings_.emplace_back(text);
  index_.emplace(std::string_view(stored), &stored);
  return &stored;
}

EventLog::EventLog(std::size_t workers) : per_worker_(workers) {}

void EventLog::append(EventRecord record, std::string_view name, std::string_view component) {
  if (record.worker < per_worker_.size()) {
    // Only this worker's thread writes its buffer: no lock. [trace.log]
    push(per_worker_[record.worker].buffer, record, name, component);
    return;
  }
  LockGuard lock(shared_mutex_);
  push(shared_, record, name, component);
}

void EventLog::record_run(EventKind kind, const RunEvent& event) {
  // Run events carry no worker: they may come from any thread, so they take the shared buffer.
  append({.time = event.time,
          .run_id = event.run_id,
          .operation = compact(event.operations),
          .extra = compact(event.workers),
          .kind = kind},
         {}, {});
}

void EventLog::record_operation(EventKind kind, const OperationEvent& event) {
  const bool named = kind != EventKind::ready;  // names come with start and end
  append({.time = event.time,
          .run_id = event.run_id,
          .worker = compact(event.worker),
          .operation = event.operation,
          .kind = kind,
          .status = event.status,
          .priority = event.priority},
         named ? event.name : std::string_view{}, named ? event.component : std::string_view{});
}

void EventLog::record_steal(const StealEvent& event) {
  append({.time = event.time,
          .worker = compact(event.thief),
          .extra = compact(event.victim),
          .kind = EventKind::steal},
         {}, {});
}

void EventLog::record_worker(EventKind kind, std::size_t worker, Clock::time_point time) {
  append({.time = time, .worker = compact(worker), .kind = kind}, {}, {});
}

Timeline EventLog::timeline() const {
  TimelineBuilder builder(per_worker_.size());
  for (const WorkerBuffer& worker : per_worker_) builder.add(worker.buffer);
  {
    LockGuard lock(shared_mutex_);
    builder.add(shared_);
  }
  return builder.finish();
}

void EventLog::clear() {
  for (WorkerBuffer& worker : per_worker_) worker.buffer.records.discard();
  LockGuard lock(shared_mutex_);
  shared_.records.discard();
}

}  // namespace neat::detail
