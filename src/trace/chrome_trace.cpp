#include "neat/trace/chrome_trace.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <utility>
#include <vector>

#include "neat/common/error.hpp"
#include "trace/event_log.hpp"

namespace neat {
namespace {

using detail::EventKind;
using detail::Timeline;
using nlohmann::json;

constexpr int k_pid = 1;

enum class ItemKind : std::uint8_t { run_begin, run_end, operation, steal, idle };

/// One trace event to emit, sorted by time before it is written.
struct TraceItem {
  double ts = 0.0;
  std::size_t tid = 0;
  double dur = 0.0;  // an enclosing span sorts before what it encloses
  ItemKind kind = ItemKind::operation;
  std::size_t index = 0;  // into the timeline's vector of that kind
  std::size_t segment = 0;  // operations drawn in segments: 1-based segment number, else 0
};

std::string operation_name(const detail::OperationTimeline& op) {
  return op.name.empty() ? fmt::format("op#{}", op.operation) : std::string(op.name);
}

std::string component_name(std::string_view component) {
  return component.empty() ? std::string("none") : std::string(component);
}

// Turns a merged Timeline into trace events: metadata first, then every event in time order.
class TraceEmitter {
 public:
  TraceEmitter(const Timeline& timeline, const std::string& process_name)
      : timeline_(timeline), process_name_(process_name) {}

  void write(std::ostream& out) {
    out << "{\"traceEvents\":[\n";
    write_metadata(out);
    for (const TraceItem& item : sorted_items()) emit(out, event_for(item));
    out << "\n],\"displayTimeUnit\":\"ns\"}\n";
  }

 private:
  [[nodiscard]] std::size_t caller_tid() const { return timeline_.worker_rows + 1; }
  [[nodiscard]] std::size_t tid(std::size_t worker) const {
    return worker == k_not_a_worker ? caller_tid() : worker + 1;
  }
  [[nodiscard]] double ts(Clock::time_point time) const {
    return detail::micros_between(*timeline_.first, time);
  }
  [[nodiscard]] Clock::time_point last() const { return *timeline_.last; }

  void emit(std::ostream& out, const json& event) {
    if (!first_event_) out << ",\n";
    first_event_ = false;
    // Invalid UTF-8 in a name becomes U+FFFD instead of throwing.
    out << event.dump(-1, ' ', false, json::error_handler_t::replace);
  }

  void write_metadata(std::ostream& out) {
    emit(out, {{"name", "process_name"},
               {"ph", "M"},
               {"pid", k_pid},
               {"args", {{"name", process_name_}}}});
    auto name_row = [&](std::size_t row_tid, const std::string& name) {
      emit(out, {{"name", "thread_name"},
                 {"ph", "M"},
                 {"pid", k_pid},
                 {"tid", row_tid},
                 {"args", {{"name", name}}}});
      emit(out, {{"name", "thread_sort_index"},
                 {"ph", "M"},
                 {"pid", k_pid},
                 {"tid", row_tid},
                 {"args", {{"sort_index", row_tid}}}});
    };
    for (std::size_t worker = 0; worker < timeline_.worker_rows; ++worker) {
      name_row(tid(worker), fmt::format("worker {}", worker));
    }
    name_row(caller_tid(), "caller");
  }

  std::vector<TraceItem> sorted_items() const {
    std::vector<TraceItem> items;
    for (std::size_t i = 0; i < timeline_.runs.size(); ++i) {
      // Runs may overlap, so they are async spans ("b"/"e"), which need not nest.
      const auto& run = timeline_.runs[i];
      if (!run.begin) continue;  // end without begin: observer attached mid-run
      items.push_back({ts(*run.begin), caller_tid(), 0.0, ItemKind::run_begin, i});
      items.push_back({ts(run.end ? *run.end : last()), caller_tid(), 0.0, ItemKind::run_end, i});
    }
    for (std::size_t i = 0; i < timeline_.operations.size(); ++i) {
      const auto& op = timeline_.operations[i];
      if (op.segments.size() > 1) {  // paused and resumed: one span per running segment
        for (std::size_t k = 0; k < op.segments.size(); ++k) {
          const auto& seg = op.segments[k];
          const double dur = detail::micros_between(seg.begin, seg.end ? *seg.end : last());
          items.push_back({ts(seg.begin), tid(seg.worker), dur, ItemKind::operation, i, k + 1});
        }
      } else if (op.start) {
        const double dur = detail::micros_between(*op.start, op.end ? *op.end : last());
        items.push_back({ts(*op.start), tid(op.worker), dur, ItemKind::operation, i});
      } else if (op.end) {  // ended without starting; ready-only (pending) is not drawn
        items.push_back({ts(*op.end), tid(op.worker), 0.0, ItemKind::operation, i});
      }
    }
    for (std::size_t i = 0; i < timeline_.steals.size(); ++i) {
      const auto& steal = timeline_.steals[i];
      items.push_back({ts(steal.time), tid(steal.thief), 0.0, ItemKind::steal, i});
    }
    for (std::size_t i = 0; i < timeline_.idle.size(); ++i) {
      const auto& idle = timeline_.idle[i];
      const double dur = detail::micros_between(idle.begin, idle.end);
      items.push_back({ts(idle.begin), tid(idle.worker), dur, ItemKind::idle, i});
    }
    std::stable_sort(items.begin(), items.end(), [](const TraceItem& a, const TraceItem& b) {
      if (a.ts != b.ts) return a.ts < b.ts;
      return a.tid != b.tid ? a.tid < b.tid : a.dur > b.dur;
    });
    return items;
  }

  json event_for(const TraceItem& item) const {
    switch (item.kind) {
      case ItemKind::run_begin:
      case ItemKind::run_end:
        return run_event(timeline_.runs[item.index], item);
      case ItemKind::operation:
        return operation_event(timeline_.operations[item.index], item);
      case ItemKind::steal: {
        const auto& steal = timeline_.steals[item.index];
        return {{"name", "steal"}, {"cat", "steal"},
                {"ph", "i"},       {"s", "t"},
                {"ts", item.ts},   {"pid", k_pid},
                {"tid", item.tid}, {"args", {{"thief", steal.thief}, {"victim", steal.victim}}}};
      }
      case ItemKind::idle:
        break;
    }
    return {{"name", "idle"},  {"cat", "idle"}, {"ph", "X"},      {"ts", item.ts},
            {"dur", item.dur}, {"pid", k_pid},  {"tid", item.tid}};
  }

  static json run_event(const detail::RunTimeline& run, const TraceItem& item) {
    json event = {{"name", fmt::format("run {}", run.run_id)},
                  {"cat", "run"},
                  {"id", run.run_id},
                  {"ts", item.ts},
                  {"pid", k_pid},
                  {"tid", item.tid}};
    if (item.kind == ItemKind::run_end) {
      event["ph"] = "e";
      return event;
    }
    event["ph"] = "b";
    event["args"] = {
        {"run_id", run.run_id}, {"operations", run.operations}, {"workers", run.workers}};
    return event;
  }

  json operation_event(const detail::OperationTimeline& op, const TraceItem& item) const {
    json args = {{"component", component_name(op.component)},
                 {"priority", std::string(to_string(op.priority))},
                 {"status", std::string(to_string(op.status))},
                 {"operation", op.operation},
                 {"run_id", op.run_id}};
    json event = {{"name", operation_name(op)},
                  {"cat", component_name(op.component)},
                  {"ts", item.ts},
                  {"pid", k_pid},
                  {"tid", item.tid}};
    if (item.segment > 0) {  // what this segment ended as: paused, or the outcome
      const auto& seg = op.segments[item.segment - 1];
      args["segment"] = fmt::format("{} of {}", item.segment, op.segments.size());
      args["status"] = std::string(to_string(seg.ended_as));
    }
    if (op.start) {
      // An operation still running when the trace is written lasts until the last event.
      event["ph"] = "X";
      event["dur"] = item.dur;
      if (op.ready && item.segment <= 1) {
        args["wait_us"] = detail::micros_between(*op.ready, *op.start);
      }
    } else {
      event["ph"] = "i";
      event["s"] = "t";
    }
    event["args"] = std::move(args);
    return event;
  }

  const Timeline& timeline_;
  const std::string& process_name_;
  bool first_event_ = true;
};

}  // namespace

ChromeTraceWriter::ChromeTraceWriter(std::size_t workers, std::string process_name)
    : EventRecorder(workers), process_name_(std::move(process_name)) {}

ChromeTraceWriter::~ChromeTraceWriter() = default;

void ChromeTraceWriter::write(std::ostream& out) const {
  const Timeline timeline = log().timeline();
  TraceEmitter(timeline, process_name_).write(out);
}

void ChromeTraceWriter::write_file(const std::string& path) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    throw Error(
        fmt::format("Chrome trace: cannot open '{}' for writing: {}", path, std::strerror(errno)));
  }
  write(out);
  out.flush();
  if (!out) throw Error(fmt::format("Chrome trace: writing '{}' failed", path));
}



}  // namespace neat
