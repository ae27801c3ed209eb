// Reading the "request_streams" list: requests fed through a DynamicBatcher. [workload.streams]
#include <fmt/format.h>

#include "workload_parser.hpp"

namespace neat::detail {
namespace {

inline constexpr double k_max_rate_per_s = 1e6;
inline constexpr std::uint64_t k_max_clients = 256;
inline constexpr std::uint64_t k_max_seed = std::uint64_t{1} << 53;  // exact in a JSON number
inline constexpr std::uint64_t k_max_request_bytes = std::uint64_t{1} << 40;
inline constexpr std::uint64_t k_max_batch = 4096;
inline constexpr std::uint64_t k_max_queue = 1000000;

bool has(const JsonReader& reader, const JsonNode& node, std::string_view key) {
  return reader.find(node, key) != nullptr;
}

BatchKernelSpec read_batch_kernel(const JsonReader& reader, const JsonNode& node) {
  reader.expect_object(node);
  const JsonNode type = reader.require(node, "type");
  BatchKernelSpec spec{.type =
                           read_choice(reader, type, "kernel type", "spin, sleep, fail",
                                       [](const std::string& t) { return parse_kernel_type(t); })};
  if (spec.type == KernelType::gemm) {
    reader.fail(type.path, "a batched kernel is spin, sleep or fail (a gemm does not batch here)");
  }
  if (spec.type == KernelType::fail) {
    reader.expect_object(node, {"type", "message"});
    spec.message = has(reader, node, "message") ? reader.string(reader.member(node, "message"))
                                                : std::string("injected failure");
    return spec;
  }
  if (spec.type == KernelType::spin) {
    reader.expect_object(node, {"type", "call_us", "item_us", "mode"});
  } else {
    reader.expect_object(node, {"type", "call_us", "item_us"});
  }
  if (has(reader, node, "mode"))
    spec.spin_mode = read_spin_mode(reader, reader.member(node, "mode"));
  if (has(reader, node, "call_us")) {
    spec.call_us = reader.number(reader.member(node, "call_us"), false, k_max_kernel_us);
  }
  if (has(reader, node, "item_us")) {
    spec.item_us = reader.number(reader.member(node, "item_us"), false, k_max_kernel_us);
  }
  return spec;
}

std::vector<std::size_t> read_preferred_sizes(const JsonReader& reader, const JsonNode& node,
                                              std::size_t max_batch) {
  std::vector<std::size_t> sizes;
  for (const JsonNode& element : reader.array(node)) {
    const auto size = static_cast<std::size_t>(reader.integer(element, true, max_batch));
    if (!sizes.empty() && size <= sizes.back()) {
      reader.fail(element.path, fmt::format("must be larger than the size before it ({}): give "
                                            "them ascending, without repeats",
                                            sizes.back()));
    }
    sizes.push_back(size);
  }
  return sizes;
}

StreamBatcherSpec read_batcher(const JsonReader& reader, const JsonNode& node) {
  reader.expect_object(node, {"max_batch", "preferred_sizes", "max_delay_us", "adaptive_delay",
                              "max_in_flight", "queue_capacity"});
  StreamBatcherSpec b;
  const auto size = [&](const char* key, bool positive, std::uint64_t max) {
    return static_cast<std::size_t>(reader.integer(reader.member(node, key), positive, max));
  };
  if (has(reader, node, "max_batch")) b.max_batch = size("max_batch", true, k_max_batch);
  if (has(reader, node, "preferred_sizes")) {
    b.preferred_sizes =
        read_preferred_sizes(reader, reader.member(node, "preferred_sizes"), b.max_batch);
  }
  if (has(reader, node, "max_delay_us")) {
    b.max_delay_us = reader.number(reader.member(node, "max_delay_us"), false, k_max_kernel_us);
  }
  if (has(reader, node, "adaptive_delay")) {
    b.adaptive_delay = reader.boolean(reader.member(node, "adaptive_delay"));
  }
  if (has(reader, node, "max_in_flight")) {
    b.max_in_flight = size("max_in_flight", false, k_max_in_flight);
  }
  if (has(reader, node, "queue_capacity")) {
    b.queue_capacity = size("queue_capacity", true, k_max_queue);
  }
  return b;
}

// Open loop (rate_per_s, arrival, seed) or closed loop (clients): exactly one.
void read_arrivals(const JsonReader& reader, const JsonNode& node, RequestStreamSpec& s) {
  const bool open = has(reader, node, "rate_per_s");
  if (open && has(reader, node, "clients")) {
    reader.fail(child_path(node.path, "clients"),
                "give either rate_per_s (open loop) or clients (closed loop), not both");
  }
  if (!open && !has(reader, node, "clients")) {
    reader.fail(node.path, "missing 'rate_per_s' (open loop) or 'clients' (closed loop)");
  }
  if (!open) {
    if (has(reader, node, "arrival")) {
      reader.fail(child_path(node.path, "arrival"),
                  "closed-loop clients send a request when their previous one completed; "
                  "'arrival' is for rate_per_s");
    }
    s.clients = reader.integer(reader.member(node, "clients"), true, k_max_clients);
    return;
  }
  s.rate_per_s = reader.number(reader.member(node, "rate_per_s"), true, k_max_rate_per_s);
  if (has(reader, node, "arrival")) {
    s.arrival = read_choice(reader, reader.member(node, "arrival"), "arrival", "uniform, poisson",
                            [](const std::string& t) { return parse_arrival_process(t); });
  }
}

void read_timeout(const JsonReader& reader, const JsonNode& node, RequestStreamSpec& s) {
  if (has(reader, node, "timeout_ms")) {
    s.timeout_ms = reader.number(reader.member(node, "timeout_ms"), true, k_max_time_ms);
  }
  if (!has(reader, node, "timeout_policy")) return;
  const JsonNode policy = reader.member(node, "timeout_policy");
  s.timeout_policy = read_choice(reader, policy, "timeout policy", "reject, run_anyway",
                                 [](const std::string& t) -> std::optional<TimeoutPolicy> {
                                   if (t == "reject") return TimeoutPolicy::reject;
                                   if (t == "run_anyway") return TimeoutPolicy::run_anyway;
                                   return std::nullopt;
                                 });
  if (!s.timeout_ms) reader.fail(policy.path, "applies to a timeout: give timeout_ms too");
}

RequestStreamSpec read_stream(const JsonReader& reader, const JsonNode& node,
                              const std::vector<ComponentSpec>& components) {
  reader.expect_object(node, {"name", "component", "priority", "requests", "rate_per_s", "arrival",
                              "seed", "clients", "arrive_ms", "kernel", "memory_bytes",
                              "timeout_ms", "timeout_policy", "batcher"});
  RequestStreamSpec s;
  s.name = reader.name(reader.require(node, "name"));
  (void)reader.require(node, "component");
  read_component_and_priority(reader, node, components, s.component, s.priority);
  s.requests = reader.integer(reader.require(node, "requests"), true, k_max_repeat);
  read_arrivals(reader, node, s);
  if (has(reader, node, "seed")) {
    s.seed = reader.integer(reader.member(node, "seed"), false, k_max_seed);
  }
  if (has(reader, node, "arrive_ms")) {
    s.arrive_ms = reader.number(reader.member(node, "arrive_ms"), false, k_max_time_ms);
  }
  s.kernel = read_batch_kernel(reader, reader.require(node, "kernel"));
  if (has(reader, node, "memory_bytes")) {
    s.memory_bytes =
        reader.integer(reader.member(node, "memory_bytes"), false, k_max_request_bytes);
  }
  read_timeout(reader, node, s);
  if (has(reader, node, "batcher"))
    s.batcher = read_batcher(reader, reader.member(node, "batcher"));
  return s;
}

}  // namespace

std::vector<RequestStreamSpec> read_request_streams(const JsonReader& reader, const JsonNode& node,
                                                    const std::vector<ComponentSpec>& components) {
  return read_named_array(reader, node, "request stream", [&](const JsonNode& element) {
    return read_stream(reader, element, components);
  });
}

}  // namespace neat::detail
