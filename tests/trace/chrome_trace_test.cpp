#include "neat/trace/chrome_trace.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "neat/common/error.hpp"
#include "synthetic_events.hpp"

namespace neat {
namespace {

using nlohmann::json;
using test::at_us;
using test::feed;
using test::feed_run;
using test::feed_steal;
using test::SyntheticOp;

std::string trace_text(const ChromeTraceWriter& trace) {
  std::ostringstream out;
  trace.write(out);
  return out.str();
}

json parse_trace(const ChromeTraceWriter& trace) {
  return json::parse(trace_text(trace));
}

// Every event of phase `ph`, optionally only those named `name`.
std::vector<json> events(const json& trace, std::string_view ph, std::string_view name = {}) {
  std::vector<json> out;
  for (const json& e : trace.at("traceEvents")) {
    if (e.at("ph") == ph && (name.empty() || e.at("name") == name)) out.push_back(e);
  }
  return out;
}

json only_event(const json& trace, std::string_view ph, std::string_view name) {
  const auto found = events(trace, ph, name);
  EXPECT_EQ(found.size(), 1U) << "events named " << name;
  return found.empty() ? json() : found.front();
}

std::map<int, std::string> thread_names(const json& trace) {
  std::map<int, std::string> names;
  for (const json& e : events(trace, "M", "thread_name")) {
    EXPECT_TRUE(names.emplace(e.at("tid").get<int>(), e.at("args").at("name")).second)
        << "tid named twice: " << e.dump();
  }
  return names;
}

TEST(ChromeTraceWriter, EmptyTraceIsValidJsonWithMetadata) {
  ChromeTraceWriter trace(2);
  const json doc = parse_trace(trace);
  EXPECT_EQ(doc.at("displayTimeUnit"), "ns");
  const json process = only_event(doc, "M", "process_name");
  EXPECT_EQ(process.at("pid"), 1);
  EXPECT_EQ(process.at("args").at("name"), "neatsched");
  EXPECT_EQ(events(doc, "X").size(), 0U);
  EXPECT_EQ(events(doc, "i").size(), 0U);
  EXPECT_EQ(trace.workers(), 2U);
}

TEST(ChromeTraceWriter, ProcessNameIsConfigurable) {
  ChromeTraceWriter trace(1, "bench \"fork-join\"");
  EXPECT_EQ(only_event(parse_trace(trace), "M", "process_name").at("args").at("name"),
            "bench \"fork-join\"");
}

TEST(ChromeTraceWriter, OneThreadNamePerWorkerPlusCaller) {
  ChromeTraceWriter trace(3);
  const auto names = thread_names(parse_trace(trace));
  const std::map<int, std::string> expected{
      {1, "worker 0"}, {2, "worker 1"}, {3, "worker 2"}, {4, "caller"}};
  EXPECT_EQ(names, expected);
  const json doc = parse_trace(trace);
  for (const json& e : events(doc, "M", "thread_sort_index")) {
    EXPECT_EQ(e.at("args").at("sort_index"), e.at("tid"));
  }
}

TEST(ChromeTraceWriter, CompletedOperationIsCompleteEventWithArgs) {
  ChromeTraceWriter trace(2);
  feed_run(trace, 7, 100.0, 200.0, 1, 2);
  feed(trace, {.run_id = 7,
               .operation = 3,
               .name = "attention",
               .component = "titans_memory",
               .worker = 1,
               .ready_us = 110.0,
               .start_us = 112.5,
               .end_us = 150.25,
               .priority = ExecutionPriority::high});
  const json doc = parse_trace(trace);
  const json op = only_event(doc, "X", "attention");
  EXPECT_EQ(op.at("cat"), "titans_memory");
  EXPECT_DOUBLE_EQ(op.at("ts").get<double>(), 12.5);  // relative to the run begin at 100 us
  EXPECT_DOUBLE_EQ(op.at("dur").get<double>(), 37.75);
  EXPECT_EQ(op.at("pid"), 1);
  EXPECT_EQ(op.at("tid"), 2);  // worker 1
  const json& args = op.at("args");
  EXPECT_EQ(args.at("component"), "titans_memory");
  EXPECT_EQ(args.at("priority"), "high");
  EXPECT_EQ(args.at("status"), "completed");
  EXPECT_EQ(args.at("operation"), 3);
  EXPECT_EQ(args.at("run_id"), 7);
  EXPECT_DOUBLE_EQ(args.at("wait_us").get<double>(), 2.5);

  // The run is an async span: runs may overlap, which "X" events on one row may not.
  const json begin = only_event(doc, "b", "run 7");
  const json end = only_event(doc, "e", "run 7");
  EXPECT_EQ(begin.at("cat"), "run");
  EXPECT_EQ(begin.at("id"), 7);
  EXPECT_EQ(end.at("id"), 7);
  EXPECT_EQ(end.at("cat"), "run");
  EXPECT_EQ(begin.at("tid"), 3);  // caller row of a 2-worker trace
  EXPECT_DOUBLE_EQ(begin.at("ts").get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(end.at("ts").get<double>(), 100.0);
  EXPECT_EQ(begin.at("args").at("run_id"), 7);
  EXPECT_EQ(begin.at("args").at("operations"), 1);
  EXPECT_EQ(begin.at("args").at("workers"), 2);
  EXPECT_TRUE(events(doc, "X", "run 7").empty());
}

TEST(ChromeTraceWriter, SubMicrosecondTimesStayFractional) {
  ChromeTraceWriter trace(1);
  feed(trace, {.name = "tiny", .worker = 0, .start_us = 0.0, .end_us = 0.001});
  const json op = only_event(parse_trace(trace), "X", "tiny");
  EXPECT_DOUBLE_EQ(op.at("dur").get<double>(), 0.001);
  EXPECT_FALSE(op.at("args").contains("wait_us"));  // no ready event seen
}

TEST(ChromeTraceWriter, AnonymousOperationWithoutComponent) {
  ChromeTraceWriter trace(1);
  feed(trace, {.operation = 42, .worker = 0, .start_us = 1.0, .end_us = 2.0});
  const json op = only_event(parse_trace(trace), "X", "op#42");
  EXPECT_EQ(op.at("cat"), "none");
  EXPECT_EQ(op.at("args").at("component"), "none");
}

TEST(ChromeTraceWriter, EscapesOddNames) {
  const std::string odd =
      "say \"hi\"\\path\nline\ttab\x01 caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x99\x82";
  const std::string component = "comp,\"x\"}]";
  ChromeTraceWriter trace(1);
  feed(trace, {.name = odd, .component = component, .worker = 0, .start_us = 0, .end_us = 1});
  const std::string text = trace_text(trace);
  EXPECT_THAT(text, ::testing::HasSubstr(R"(say \"hi\"\\path\nline\ttab\u0001)"));
  const json doc = json::parse(text);
  const json op = only_event(doc, "X", odd);
  EXPECT_EQ(op.at("cat"), component);
  EXPECT_EQ(op.at("args").at("component"), component);
}

TEST(ChromeTraceWriter, InvalidUtf8BecomesReplacementCharacter) {
  ChromeTraceWriter trace(1);
  feed(trace, {.name = "bad\xFF"
                       "byte",
               .worker = 0,
               .start_us = 0,
               .end_us = 1});
  const json doc = parse_trace(trace);  // would throw if the bytes were copied raw
  EXPECT_EQ(events(doc, "X",
                   "bad\xEF\xBF\xBD"
                   "byte")
                .size(),
            1U);
}

TEST(ChromeTraceWriter, CancelledOperationIsInstantWithStatus) {
  ChromeTraceWriter trace(2);
  feed(trace, {.name = "first", .worker = 0, .ready_us = 0, .start_us = 0, .end_us = 5});
  feed(trace, {.operation = 1,
               .name = "skipped",
               .component = "blt",
               .worker = 1,
               .end_us = 5,
               .status = OpStatus::cancelled});
  const json doc = parse_trace(trace);
  const json skipped = only_event(doc, "i", "skipped");
  EXPECT_EQ(skipped.at("s"), "t");
  EXPECT_DOUBLE_EQ(skipped.at("ts").get<double>(), 5.0);
  EXPECT_EQ(skipped.at("tid"), 2);
  EXPECT_FALSE(skipped.contains("dur"));
  EXPECT_EQ(skipped.at("cat"), "blt");
  EXPECT_EQ(skipped.at("args").at("status"), "cancelled");
  EXPECT_FALSE(skipped.at("args").contains("wait_us"));
  EXPECT_TRUE(events(doc, "X", "skipped").empty());
}

TEST(ChromeTraceWriter, StealIsInstantOnThiefRow) {
  ChromeTraceWriter trace(3);
  feed_steal(trace, 2, 0, 4.0);
  feed(trace, {.name = "x", .worker = 0, .start_us = 1.0, .end_us = 2.0});
  const json steal = only_event(parse_trace(trace), "i", "steal");
  EXPECT_EQ(steal.at("cat"), "steal");
  EXPECT_EQ(steal.at("tid"), 3);
  EXPECT_DOUBLE_EQ(steal.at("ts").get<double>(), 3.0);
  EXPECT_EQ(steal.at("args").at("thief"), 2);
  EXPECT_EQ(steal.at("args").at("victim"), 0);
}

TEST(ChromeTraceWriter, SleepWakeBecomesIdleSpan) {
  ChromeTraceWriter trace(2);
  trace.on_worker_wake(0, at_us(0.0));  // wake without sleep: ignored
  trace.on_worker_sleep(0, at_us(10.0));
  trace.on_worker_sleep(0, at_us(12.0));  // second sleep before a wake: the first counts
  trace.on_worker_wake(0, at_us(30.0));
  trace.on_worker_sleep(1, at_us(20.0));  // never woken: idle until the last event
  feed(trace, {.name = "late", .worker = 0, .start_us = 40.0, .end_us = 50.0});
  const auto idle = events(parse_trace(trace), "X", "idle");
  ASSERT_EQ(idle.size(), 2U);
  EXPECT_EQ(idle[0].at("cat"), "idle");
  EXPECT_EQ(idle[0].at("tid"), 1);
  EXPECT_DOUBLE_EQ(idle[0].at("ts").get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(idle[0].at("dur").get<double>(), 20.0);
  EXPECT_EQ(idle[1].at("tid"), 2);
  EXPECT_DOUBLE_EQ(idle[1].at("ts").get<double>(), 20.0);
  EXPECT_DOUBLE_EQ(idle[1].at("dur").get<double>(), 30.0);
}

TEST(ChromeTraceWriter, SeveralRunsInOneTrace) {
  ChromeTraceWriter trace(1);
  feed_run(trace, 1, 0.0, 10.0);
  feed(trace,
       {.run_id = 1, .name = "step", .worker = 0, .ready_us = 0, .start_us = 1, .end_us = 9});
  feed_run(trace, 2, 20.0, 35.0);
  feed(trace,
       {.run_id = 2, .name = "step", .worker = 0, .ready_us = 20, .start_us = 24, .end_us = 30});
  const json doc = parse_trace(trace);
  const auto steps = events(doc, "X", "step");
  ASSERT_EQ(steps.size(), 2U);
  EXPECT_EQ(steps[0].at("args").at("run_id"), 1);
  EXPECT_DOUBLE_EQ(steps[0].at("dur").get<double>(), 8.0);
  EXPECT_DOUBLE_EQ(steps[0].at("args").at("wait_us").get<double>(), 1.0);
  EXPECT_EQ(steps[1].at("args").at("run_id"), 2);
  EXPECT_DOUBLE_EQ(steps[1].at("ts").get<double>(), 24.0);
  EXPECT_DOUBLE_EQ(steps[1].at("args").at("wait_us").get<double>(), 4.0);
  EXPECT_DOUBLE_EQ(only_event(doc, "b", "run 2").at("ts").get<double>(), 20.0);
  EXPECT_DOUBLE_EQ(only_event(doc, "e", "run 2").at("ts").get<double>(), 35.0);
  EXPECT_DOUBLE_EQ(only_event(doc, "e", "run 1").at("ts").get<double>(), 10.0);
}

TEST(ChromeTraceWriter, EventsAreWrittenInTimeOrder) {
  ChromeTraceWriter trace(2);
  feed(trace, {.operation = 0, .name = "b", .worker = 1, .start_us = 5, .end_us = 6});
  feed(trace, {.operation = 1, .name = "a", .worker = 0, .start_us = 1, .end_us = 9});
  feed(trace, {.operation = 2, .name = "c", .worker = 0, .start_us = 9, .end_us = 10});
  std::vector<std::string> order;
  for (const json& e : events(parse_trace(trace), "X")) order.push_back(e.at("name"));
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(ChromeTraceWriter, EnclosingSpanComesBeforeWhatItEncloses) {
  // Nested work started at the same time as its parent: the parent must be written first.
  ChromeTraceWriter trace(1);
  feed(trace, {.operation = 0, .name = "child", .worker = 0, .start_us = 2, .end_us = 3});
  feed(trace, {.operation = 1, .name = "parent", .worker = 0, .start_us = 2, .end_us = 9});
  const auto spans = events(parse_trace(trace), "X");
  ASSERT_EQ(spans.size(), 2U);
  EXPECT_EQ(spans[0].at("name"), "parent");
  EXPECT_EQ(spans[1].at("name"), "child");
}

TEST(ChromeTraceWriter, CallerAndUnknownWorkersGetTheirOwnRows) {
  ChromeTraceWriter trace(2);
  feed(trace, {.name = "on caller", .worker = k_not_a_worker, .start_us = 0, .end_us = 1});
  feed(trace, {.operation = 1, .name = "on worker 4", .worker = 4, .start_us = 0, .end_us = 2});
  const json doc = parse_trace(trace);
  const auto names = thread_names(doc);
  ASSERT_EQ(names.size(), 6U);  // workers 0..4 and the caller
  EXPECT_EQ(names.at(5), "worker 4");
  EXPECT_EQ(names.at(6), "caller");
  EXPECT_EQ(only_event(doc, "X", "on caller").at("tid"), 6);
  EXPECT_EQ(only_event(doc, "X", "on worker 4").at("tid"), 5);
}

TEST(ChromeTraceWriter, RunWorkerCountAddsRows) {
  ChromeTraceWriter trace(1);
  feed_run(trace, 1, 0.0, 1.0, 0, 3);
  EXPECT_EQ(thread_names(parse_trace(trace)).size(), 4U);
}

TEST(ChromeTraceWriter, InFlightWorkIsDrawnUntilTheLastEvent) {
  ChromeTraceWriter trace(1);
  feed_run(trace, 1, 0.0, std::nullopt);  // run still in flight
  feed_run(trace, 2, std::nullopt, 3.0);  // end without begin: not drawn
  feed(trace, {.name = "running", .worker = 0, .ready_us = 1, .start_us = 2});
  feed(trace, {.operation = 1, .name = "pending", .worker = 0, .ready_us = 2});
  feed(trace, {.operation = 2, .name = "done", .worker = 0, .start_us = 4, .end_us = 8});
  const json doc = parse_trace(trace);
  const json running = only_event(doc, "X", "running");
  EXPECT_DOUBLE_EQ(running.at("dur").get<double>(), 6.0);
  EXPECT_EQ(running.at("args").at("status"), "running");
  EXPECT_DOUBLE_EQ(only_event(doc, "e", "run 1").at("ts").get<double>(), 8.0);
  EXPECT_TRUE(events(doc, "b", "run 2").empty());
  EXPECT_TRUE(events(doc, "e", "run 2").empty());
  EXPECT_TRUE(events(doc, "X", "pending").empty());
  EXPECT_TRUE(events(doc, "i", "pending").empty());
}

TEST(ChromeTraceWriter, EndSeenBeforeStartKeepsTheStartWorker) {
  // Buffers merge in worker order, so an end recorded by worker 0 is read before the start
  // recorded by worker 1: the event still belongs to worker 1's row.
  ChromeTraceWriter trace(2);
  OperationEvent event{.run_id = 1,
                       .operation = 0,
                       .name = "moved",
                       .component = {},
                       .priority = ExecutionPriority::low,
                       .status = OpStatus::completed,
                       .worker = 0,
                       .time = at_us(9)};
  trace.on_operation_end(event);
  event.status = OpStatus::running;
  event.worker = 1;
  event.time = at_us(3);
  trace.on_operation_start(event);
  const json op = only_event(parse_trace(trace), "X", "moved");
  EXPECT_EQ(op.at("tid"), 2);
  EXPECT_DOUBLE_EQ(op.at("dur").get<double>(), 6.0);
  EXPECT_EQ(op.at("args").at("status"), "completed");
  EXPECT_EQ(op.at("args").at("priority"), "low");
}

TEST(ChromeTraceWriter, ClearForgetsEverything) {
  ChromeTraceWriter trace(1);
  feed(trace, {.name = "x", .worker = 0, .start_us = 0, .end_us = 1});
  trace.on_operation_start({.run_id = 1,
                            .operation = 1,
                            .name = {},
                            .component = {},
                            .priority = {},
                            .status = {},
                            .worker = 9,
                            .time = at_us(1)});
  trace.clear();
  const json doc = parse_trace(trace);
  EXPECT_TRUE(events(doc, "X").empty());
  EXPECT_EQ(thread_names(doc).size(), 2U);
}

TEST(ChromeTraceWriter, WriteFileRoundTrips) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("neat_trace_test_" + std::to_string(::getpid()) + ".json");
  ChromeTraceWriter trace(1);
  feed(trace, {.name = "saved", .worker = 0, .start_us = 0, .end_us = 1});
  trace.write_file(path.string());
  std::ifstream in(path);
  const json doc = json::parse(in);
  EXPECT_EQ(events(doc, "X", "saved").size(), 1U);
  std::filesystem::remove(path);
}

TEST(ChromeTraceWriter, WriteFileNamesThePathWhenItCannotOpen) {
  ChromeTraceWriter trace(1);
  const std::string path = "/nonexistent-neat-dir/trace.json";
  try {
    trace.write_file(path);
    FAIL() << "expected neat::Error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr(path));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("cannot open"));
  }
}

TEST(ChromeTraceWriter, WriteFileNamesThePathWhenWritingFails) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  ChromeTraceWriter trace(1);
  feed(trace, {.name = "x", .worker = 0, .start_us = 0, .end_us = 1});
  try {
    trace.write_file("/dev/full");
    FAIL() << "expected neat::Error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("'/dev/full'"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("failed"));
  }
}

class ChromeTraceConcurrency : public ::testing::TestWithParam<std::size_t> {};

TEST_P(ChromeTraceConcurrency, NoEventIsLost) {
  const std::size_t workers = GetParam();
  constexpr std::uint32_t k_per_worker = 2000;
  ChromeTraceWriter trace(workers);
  test::run_with_timeout([&] {
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (std::size_t w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
        for (std::uint32_t i = 0; i < k_per_worker; ++i) {
          const auto index = static_cast<std::uint32_t>(w * k_per_worker + i);
          const double t = i * 2.0;
          feed(trace, {.operation = index,
                       .name = "op",
                       .component = "c",
                       .worker = w,
                       .ready_us = t,
                       .start_us = t,
                       .end_us = t + 1});
          if (i % 100 == 0) feed_steal(trace, w, (w + 1) % workers, t);
        }
      });
    }
    // A thread that is not a worker records into the shared row at the same time.
    threads.emplace_back([&] {
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      for (std::uint32_t i = 0; i < 500; ++i) {
        feed_run(trace, 100 + i, i * 1.0, i + 0.5);
      }
    });
    go.store(true, std::memory_order_release);
    for (std::thread& t : threads) t.join();
  });
  const json doc = parse_trace(trace);
  std::map<int, std::size_t> per_row;
  for (const json& e : events(doc, "X", "op")) ++per_row[e.at("tid").get<int>()];
  ASSERT_EQ(per_row.size(), workers);
  for (const auto& [tid, count] : per_row) EXPECT_EQ(count, k_per_worker) << "tid " << tid;
  EXPECT_EQ(events(doc, "i", "steal").size(), workers * (k_per_worker / 100));
  EXPECT_EQ(events(doc, "b").size(), 500U);
  EXPECT_EQ(events(doc, "e").size(), 500U);
}

TEST_P(ChromeTraceConcurrency, WritesAndClearsWhileWorkersRecord) {
  // Idle workers report sleep/wake at any time, so reading must be safe while they record.
  const std::size_t workers = GetParam();
  constexpr std::uint32_t k_per_worker = 3000;
  ChromeTraceWriter trace(workers);
  test::run_with_timeout([&] {
    std::atomic<std::size_t> running{workers};
    std::vector<std::thread> threads;
    for (std::size_t w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        for (std::uint32_t i = 0; i < k_per_worker; ++i) {
          const double t = i * 3.0;
          feed(trace, {.operation = i, .name = "op", .worker = w, .start_us = t, .end_us = t + 1});
          trace.on_worker_sleep(w, at_us(t + 1));
          trace.on_worker_wake(w, at_us(t + 2));
        }
        running.fetch_sub(1, std::memory_order_release);
      });
    }
    for (int round = 0; running.load(std::memory_order_acquire) > 0; ++round) {
      const json doc = parse_trace(trace);  // every intermediate trace is valid JSON
      EXPECT_GE(events(doc, "M", "thread_name").size(), workers + 1);
      if (round % 4 == 3) trace.clear();
    }
    for (std::thread& t : threads) t.join();
  });
  trace.clear();
  EXPECT_TRUE(events(parse_trace(trace), "X").empty());
  feed(trace, {.name = "after", .worker = 0, .start_us = 0, .end_us = 1});
  EXPECT_EQ(events(parse_trace(trace), "X").size(), 1U);
}

INSTANTIATE_TEST_SUITE_P(Workers, ChromeTraceConcurrency, ::testing::Values(1, 2, 4, 8));

}  // namespace
}  // namespace neat
