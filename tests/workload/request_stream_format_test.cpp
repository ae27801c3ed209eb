// Request streams in workload files [workload.streams]: what valid streams produce (defaults
// included), the error with its JSON pointer for every bad value, arrival times, and the
// batcher options a stream maps onto.
#include <gtest/gtest.h>

#include <algorithm>

#include "neat/workload/workload.hpp"

namespace neat {
namespace {

const std::string k_minimal =
    R"({"name": "s", "component": "c", "requests": 4, "rate_per_s": 100,
        "kernel": {"type": "spin"}})";

std::string with_streams(const std::string& streams) {
  return R"({"name": "t", "components": [{"name": "c", "priority": "high"}, {"name": "d"}],
             "operations": [{"name": "a", "kernel": {"type": "spin", "us": 1}}],
             "request_streams": [)" +
         streams + "]}";
}

// A minimal stream with `member` added (e.g. R"("seed": 3)").
std::string with_member(const std::string& member) {
  return with_streams(k_minimal.substr(0, k_minimal.size() - 1) + ", " + member + "}");
}

RequestStreamSpec parse_one(const std::string& text) {
  const Workload w = parse_workload(text, "t.json");
  EXPECT_EQ(w.request_streams.size(), 1u);
  return w.request_streams.at(0);
}

void expect_error(const std::string& text, const std::string& path, const std::string& problem) {
  SCOPED_TRACE(text);
  try {
    (void)parse_workload(text, "t.json");
    ADD_FAILURE() << "no WorkloadError";
  } catch (const WorkloadError& e) {
    EXPECT_EQ(e.json_path(), path);
    EXPECT_EQ(e.problem(), problem);
    EXPECT_EQ(e.source(), "t.json");
  }
}

TEST(RequestStreamFormat, Defaults) {
  const RequestStreamSpec s = parse_one(with_streams(k_minimal));
  EXPECT_EQ(s, (RequestStreamSpec{.name = "s",
                                  .component = "c",
                                  .priority = ExecutionPriority::high,  // the component's
                                  .requests = 4,
                                  .rate_per_s = 100.0}));
  EXPECT_EQ(s.arrival, ArrivalProcess::uniform);
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.clients, 0u);
  EXPECT_EQ(s.kernel, BatchKernelSpec{});
  EXPECT_FALSE(s.timeout_ms.has_value());
  EXPECT_EQ(s.timeout_policy, TimeoutPolicy::reject);
  EXPECT_EQ(s.batcher, (StreamBatcherSpec{.max_batch = 32,
                                          .max_delay_us = 1000.0,
                                          .adaptive_delay = true,
                                          .max_in_flight = 0,
                                          .queue_capacity = 1024}));
  EXPECT_TRUE(parse_workload(with_streams(""), "t.json").request_streams.empty());
}

TEST(RequestStreamFormat, EveryField) {
  const RequestStreamSpec open = parse_one(with_streams(R"(
      {"name": "chat", "component": "d", "priority": "critical", "requests": 7,
       "rate_per_s": 2.5, "arrival": "poisson", "seed": 9, "arrive_ms": 3,
       "kernel": {"type": "spin", "call_us": 100, "item_us": 5, "mode": "deadline"},
       "memory_bytes": 64, "timeout_ms": 20, "timeout_policy": "run_anyway",
       "batcher": {"max_batch": 8, "preferred_sizes": [2, 4, 8], "max_delay_us": 0,
                   "adaptive_delay": false, "max_in_flight": 2, "queue_capacity": 16}})"));
  EXPECT_EQ(open, (RequestStreamSpec{
                      .name = "chat",
                      .component = "d",
                      .priority = ExecutionPriority::critical,
                      .requests = 7,
                      .rate_per_s = 2.5,
                      .arrival = ArrivalProcess::poisson,
                      .seed = 9,
                      .arrive_ms = 3.0,
                      .kernel = {.call_us = 100.0, .item_us = 5.0, .spin_mode = SpinMode::deadline},
                      .memory_bytes = 64,
                      .timeout_ms = 20.0,
                      .timeout_policy = TimeoutPolicy::run_anyway,
                      .batcher = {.max_batch = 8,
                                  .preferred_sizes = {2, 4, 8},
                                  .max_delay_us = 0.0,
                                  .adaptive_delay = false,
                                  .max_in_flight = 2,
                                  .queue_capacity = 16}}));
  const RequestStreamSpec closed = parse_one(with_streams(
      R"({"name": "c2", "component": "d", "requests": 3, "clients": 2, "timeout_ms": 1,
          "timeout_policy": "reject", "kernel": {"type": "sleep", "call_us": 10}})"));
  EXPECT_EQ(closed.clients, 2u);
  EXPECT_EQ(closed.rate_per_s, 0.0);
  EXPECT_EQ(closed.priority, ExecutionPriority::medium);
  EXPECT_EQ(closed.kernel, (BatchKernelSpec{.type = KernelType::sleep, .call_us = 10.0}));
  EXPECT_EQ(closed.timeout_policy, TimeoutPolicy::reject);
  EXPECT_EQ(parse_one(with_member(R"("seed": 0)")).seed, 0u);
  const BatchKernelSpec fail =
      parse_one(with_streams(
                    R"({"name": "f", "component": "c", "requests": 1, "clients": 1,
          "kernel": {"type": "fail"}})"))
          .kernel;
  EXPECT_EQ(fail, (BatchKernelSpec{.type = KernelType::fail, .message = "injected failure"}));
  EXPECT_EQ(parse_one(with_streams(
                          R"({"name": "f", "component": "c", "requests": 1, "clients": 1,
                    "kernel": {"type": "fail", "message": "boom"}})"))
                .kernel.message,
            "boom");
}

TEST(RequestStreamFormat, StreamErrorsNameTheirPlace) {
  expect_error(R"({"name": "t", "operations": [{"name": "a", "kernel": {"type": "fail"}}],
                  "request_streams": {}})",
               "/request_streams", "expected an array, got an object");
  expect_error(with_streams("3"), "/request_streams/0", "expected an object, got a number");
  expect_error(with_streams(k_minimal + ", " + k_minimal), "/request_streams/1/name",
               "duplicate request stream name 's' (also /request_streams/0)");
  expect_error(
      with_streams(R"({"name": "s", "requests": 1, "clients": 1, "kernel": {"type": "spin"}})"),
      "/request_streams/0", "missing required field 'component'");
  expect_error(with_member(R"("reqests": 1)"), "/request_streams/0/reqests",
               "unknown key 'reqests' (did you mean 'requests'?)");
  expect_error(with_streams(R"({"name": "s", "component": "x", "requests": 1, "clients": 1,
                                "kernel": {"type": "spin"}})"),
               "/request_streams/0/component", "unknown component 'x' (declared: c, d)");
  expect_error(with_streams(R"({"name": "s", "component": "c", "clients": 1,
                                "kernel": {"type": "spin"}})"),
               "/request_streams/0", "missing required field 'requests'");
  expect_error(with_streams(R"({"name": "s", "component": "c", "requests": 0, "clients": 1,
                                "kernel": {"type": "spin"}})"),
               "/request_streams/0/requests", "must be positive, got 0");
  expect_error(with_member(R"("priority": "urgent")"), "/request_streams/0/priority",
               "unknown priority 'urgent' (allowed: critical, high, medium, low)");
  expect_error(with_member(R"("seed": -1)"), "/request_streams/0/seed",
               "must be non-negative, got -1");
  expect_error(with_member(R"("arrive_ms": -1)"), "/request_streams/0/arrive_ms",
               "must be non-negative, got -1");
  expect_error(with_member(R"("memory_bytes": 1.5)"), "/request_streams/0/memory_bytes",
               "expected an integer, got 1.5");
  expect_error(with_streams(R"({"name": "s", "component": "c", "requests": 1, "rate_per_s": 1})"),
               "/request_streams/0", "missing required field 'kernel'");
}

TEST(RequestStreamFormat, ArrivalErrors) {
  expect_error(with_streams(R"({"name": "s", "component": "c", "requests": 1,
                                "kernel": {"type": "spin"}})"),
               "/request_streams/0", "missing 'rate_per_s' (open loop) or 'clients' (closed loop)");
  expect_error(with_member(R"("clients": 2)"), "/request_streams/0/clients",
               "give either rate_per_s (open loop) or clients (closed loop), not both");
  expect_error(with_streams(R"({"name": "s", "component": "c", "requests": 1, "clients": 2,
                                "arrival": "poisson", "kernel": {"type": "spin"}})"),
               "/request_streams/0/arrival",
               "closed-loop clients send a request when their previous one completed; "
               "'arrival' is for rate_per_s");
  expect_error(with_streams(R"({"name": "s", "component": "c", "requests": 1, "clients": 257,
                                "kernel": {"type": "spin"}})"),
               "/request_streams/0/clients", "must be at most 256, got 257");
  expect_error(with_member(R"("arrival": "bursty")"), "/request_streams/0/arrival",
               "unknown arrival 'bursty' (allowed: uniform, poisson)");
  expect_error(with_streams(R"({"name": "s", "component": "c", "requests": 1, "rate_per_s": 0,
                                "kernel": {"type": "spin"}})"),
               "/request_streams/0/rate_per_s", "must be positive, got 0");
}

// A stream with kernel `kernel`.
std::string with_kernel(const std::string& kernel) {
  return with_streams(R"({"name": "s", "component": "c", "requests": 1, "clients": 1,
                          "kernel": )" +
                      kernel + "}");
}

TEST(RequestStreamFormat, KernelErrors) {
  expect_error(with_kernel(R"({"type": "gemm", "m": 1, "n": 1, "k": 1})"),
               "/request_streams/0/kernel/type",
               "a batched kernel is spin, sleep or fail (a gemm does not batch here)");
  expect_error(with_kernel(R"({"type": "conv"})"), "/request_streams/0/kernel/type",
               "unknown kernel type 'conv' (allowed: spin, sleep, fail)");
  expect_error(with_kernel(R"({"type": "spin", "us": 5})"), "/request_streams/0/kernel/us",
               "unknown key 'us' (allowed: type, call_us, item_us, mode)");
  expect_error(with_kernel(R"({"type": "sleep", "mode": "work"})"),
               "/request_streams/0/kernel/mode",
               "unknown key 'mode' (allowed: type, call_us, item_us)");
  expect_error(with_kernel(R"({"type": "fail", "call_us": 1})"),
               "/request_streams/0/kernel/call_us",
               "unknown key 'call_us' (allowed: type, message)");
  expect_error(with_kernel(R"({"type": "spin", "call_us": -1})"),
               "/request_streams/0/kernel/call_us", "must be non-negative, got -1");
  expect_error(with_kernel(R"({"type": "spin", "item_us": 6e8})"),
               "/request_streams/0/kernel/item_us", "must be at most 60000000, got 600000000.0");
  expect_error(with_kernel(R"({"type": "spin", "mode": "fast"})"), "/request_streams/0/kernel/mode",
               "unknown spin mode 'fast' (allowed: work, deadline)");
  expect_error(with_kernel("[]"), "/request_streams/0/kernel", "expected an object, got an array");
}

TEST(RequestStreamFormat, TimeoutAndBatcherErrors) {
  expect_error(with_member(R"("timeout_ms": 0)"), "/request_streams/0/timeout_ms",
               "must be positive, got 0");
  expect_error(with_member(R"("timeout_policy": "reject")"), "/request_streams/0/timeout_policy",
               "applies to a timeout: give timeout_ms too");
  expect_error(with_member(R"("timeout_ms": 5, "timeout_policy": "drop")"),
               "/request_streams/0/timeout_policy",
               "unknown timeout policy 'drop' (allowed: reject, run_anyway)");
  const auto batcher = [](const std::string& object) {
    return with_member(R"("batcher": )" + object);
  };
  expect_error(batcher(R"({"max_delay_ms": 1})"), "/request_streams/0/batcher/max_delay_ms",
               "unknown key 'max_delay_ms' (did you mean 'max_delay_us'?)");
  expect_error(batcher(R"({"max_batch": 0})"), "/request_streams/0/batcher/max_batch",
               "must be positive, got 0");
  expect_error(batcher(R"({"max_batch": 4, "preferred_sizes": [2, 8]})"),
               "/request_streams/0/batcher/preferred_sizes/1", "must be at most 4, got 8");
  expect_error(batcher(R"({"preferred_sizes": [4, 4]})"),
               "/request_streams/0/batcher/preferred_sizes/1",
               "must be larger than the size before it (4): give them ascending, without "
               "repeats");
  expect_error(batcher(R"({"preferred_sizes": [0]})"),
               "/request_streams/0/batcher/preferred_sizes/0", "must be positive, got 0");
  expect_error(batcher(R"({"max_delay_us": -1})"), "/request_streams/0/batcher/max_delay_us",
               "must be non-negative, got -1");
  expect_error(batcher(R"({"adaptive_delay": "yes"})"), "/request_streams/0/batcher/adaptive_delay",
               "expected a boolean, got a string");
  expect_error(batcher(R"({"max_in_flight": 5000})"), "/request_streams/0/batcher/max_in_flight",
               "must be at most 4096, got 5000");
  expect_error(batcher(R"({"queue_capacity": 0})"), "/request_streams/0/batcher/queue_capacity",
               "must be positive, got 0");
  expect_error(batcher("1"), "/request_streams/0/batcher", "expected an object, got a number");
}

TEST(RequestStreamArrivals, UniformIsEvenlySpacedFromTheStart) {
  const RequestStreamSpec s{.requests = 4, .rate_per_s = 1000.0};
  EXPECT_EQ(stream_arrivals(s), (std::vector<Clock::duration>{
                                    std::chrono::milliseconds(0), std::chrono::milliseconds(1),
                                    std::chrono::milliseconds(2), std::chrono::milliseconds(3)}));
  EXPECT_TRUE(stream_arrivals(RequestStreamSpec{.requests = 4, .clients = 2}).empty());
}

TEST(RequestStreamArrivals, PoissonGapsHaveTheRateAndFollowTheSeed) {
  RequestStreamSpec s{.requests = 20000, .rate_per_s = 1000.0, .arrival = ArrivalProcess::poisson};
  const std::vector<Clock::duration> a = stream_arrivals(s);
  ASSERT_EQ(a.size(), 20000u);
  EXPECT_EQ(a.front(), Clock::duration(0));
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  // Mean gap 1 ms: 19999 gaps of standard deviation 1 ms put the mean within 3% (4 sigma).
  const double mean_ms = std::chrono::duration<double, std::milli>(a.back()).count() / 19999.0;
  EXPECT_NEAR(mean_ms, 1.0, 0.03);
  EXPECT_EQ(stream_arrivals(s), a);  // the same seed, the same arrivals
  s.seed = 2;
  EXPECT_NE(stream_arrivals(s), a);
}

TEST(RequestStreamOptions, MapOntoTheBatcherAndWithoutBatchingMakeBatchesOfOne) {
  const RequestStreamSpec s = parse_one(with_member(
      R"("memory_bytes": 10, "timeout_ms": 2, "timeout_policy": "run_anyway",
         "batcher": {"max_batch": 8, "preferred_sizes": [4, 8], "max_delay_us": 250,
                     "adaptive_delay": false, "max_in_flight": 3, "queue_capacity": 9})"));
  const DynamicBatcherOptions o = batcher_options(s, true);
  EXPECT_EQ(o.name, "s");
  EXPECT_EQ(o.component, "c");
  EXPECT_EQ(o.priority, ExecutionPriority::high);
  EXPECT_EQ(o.max_batch, 8u);
  EXPECT_EQ(o.preferred_sizes, (std::vector<std::size_t>{4, 8}));
  EXPECT_EQ(o.max_delay, std::chrono::microseconds(250));
  EXPECT_FALSE(o.adaptive_delay);
  EXPECT_EQ(o.max_in_flight, 3u);
  EXPECT_EQ(o.queue_capacity, 9u);
  EXPECT_EQ(o.timeout_policy, TimeoutPolicy::run_anyway);
  EXPECT_EQ(o.memory_bytes_per_item, 10u);
  EXPECT_EQ(o.memory, nullptr);
  const DynamicBatcherOptions single = batcher_options(s, false);
  EXPECT_EQ(single.max_batch, 1u);
  EXPECT_TRUE(single.preferred_sizes.empty());
  EXPECT_EQ(single.max_in_flight, 3u);
  EXPECT_EQ(to_string(ArrivalProcess::poisson), "poisson");
  EXPECT_EQ(to_string(ArrivalProcess::uniform), "uniform");
  EXPECT_EQ(parse_arrival_process("uniform"), ArrivalProcess::uniform);
  EXPECT_FALSE(parse_arrival_process("x").has_value());
}

// Operations are optional in a file that has streams or pipelines, and still required (and
// non-empty) in one that has neither.
TEST(RequestStreamFormat, AFileOfStreamsOrPipelinesNeedsNoOperations) {
  const Workload streams = parse_workload(
      R"({"name": "t", "components": [{"name": "c"}], "request_streams": [)" + k_minimal + "]}",
      "t.json");
  EXPECT_TRUE(streams.operations.empty());
  EXPECT_EQ(streams.request_streams.size(), 1u);
  const Workload pipelines = parse_workload(
      R"({"name": "t", "pipelines": [{"name": "p", "items": 2,
           "stages": [{"name": "s", "kernel": {"type": "spin", "us": 1}}]}]})",
      "t.json");
  EXPECT_TRUE(pipelines.operations.empty());
  EXPECT_EQ(pipelines.pipelines.size(), 1u);
  expect_error(R"({"name": "t", "components": [{"name": "c"}], "operations": [],
                   "request_streams": [)" + k_minimal + "]}",
               "/operations", "must list at least one operation");  // present: not empty
  expect_error(R"({"name": "t"})", "(root)", "missing required field 'operations'");
}

}  // namespace
}  // namespace neat
