// Reading one operation and its kernel. [workload.format]
#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "workload_parser.hpp"

namespace neat::detail {
namespace {

std::uint32_t read_dimension(const JsonReader& reader, const JsonNode& kernel, const char* key) {
  return static_cast<std::uint32_t>(
      reader.integer(reader.require(kernel, key), true, k_max_gemm_dimension));
}

void read_gemm(const JsonReader& reader, const JsonNode& node, KernelSpec& spec) {
  reader.expect_object(node, {"type", "m", "n", "k"});
  spec.m = read_dimension(reader, node, "m");
  spec.n = read_dimension(reader, node, "n");
  spec.k = read_dimension(reader, node, "k");
  const std::uint64_t m = spec.m;
  const std::uint64_t n = spec.n;
  const std::uint64_t k = spec.k;
  const std::uint64_t bytes = (m * k + k * n + m * n) * sizeof(float);
  if (bytes > k_max_gemm_bytes) {
    reader.fail(node.path, fmt::format("gemm matrices need {} MiB, more than the {} MiB limit",
                                       bytes >> 20, k_max_gemm_bytes >> 20));
  }
}

// spin and sleep: `us`, an optional spin `mode`, and optional checkpoints.
void read_timed(const JsonReader& reader, const JsonNode& node, KernelSpec& spec) {
  if (spec.type == KernelType::spin) {
    reader.expect_object(node, {"type", "us", "mode", "checkpoint_us"});
    if (reader.find(node, "mode") != nullptr) {
      spec.spin_mode = read_spin_mode(reader, reader.member(node, "mode"));
    }
  } else {
    reader.expect_object(node, {"type", "us", "checkpoint_us"});
  }
  spec.us = reader.number(reader.require(node, "us"), true, k_max_kernel_us);
  if (reader.find(node, "checkpoint_us") != nullptr) {
    const JsonNode checkpoint = reader.member(node, "checkpoint_us");
    spec.checkpoint_us = reader.number(checkpoint, true, k_max_kernel_us);
    if (spec.checkpoint_us < 1.0) {
      reader.fail(checkpoint.path,
                  fmt::format("must be at least 1, got {}", checkpoint.value.dump()));
    }
    if (spec.checkpoint_us > spec.us) {
      reader.fail(checkpoint.path, fmt::format("must be at most the kernel's us ({}), got {}",
                                               spec.us, checkpoint.value.dump()));
    }
  }
}

const ComponentSpec& find_component(const JsonReader& reader, const JsonNode& node,
                                    const std::vector<ComponentSpec>& components) {
  const std::string name = reader.name(node);
  const auto it = std::find_if(components.begin(), components.end(),
                               [&](const ComponentSpec& c) { return c.name == name; });
  if (it != components.end()) return *it;
  if (components.empty()) {
    reader.fail(node.path,
                fmt::format("unknown component '{}' (the file declares no components)", name));
  }
  std::vector<std::string> known;
  for (const ComponentSpec& c : components) known.push_back(c.name);
  reader.fail(node.path, fmt::format("unknown component '{}' (declared: {})", name, join(known)));
}

}  // namespace

SpinMode read_spin_mode(const JsonReader& reader, const JsonNode& node) {
  return read_choice(reader, node, "spin mode", "work, deadline",
                     [](const std::string& t) { return parse_spin_mode(t); });
}

DeviceAffinity read_device(const JsonReader& reader, const JsonNode& node) {
  return read_choice(reader, node, "device", "any, cpu, cuda",
                     [](const std::string& t) { return parse_device_affinity(t); });
}

ExecutionPriority read_priority(const JsonReader& reader, const JsonNode& node) {
  return read_choice(reader, node, "priority", "critical, high, medium, low",
                     [](const std::string& t) { return parse_priority(t); });
}

void read_component_and_priority(const JsonReader& reader, const JsonNode& node,
                                 const std::vector<ComponentSpec>& components,
                                 std::string& component, ExecutionPriority& priority) {
  if (reader.find(node, "component") != nullptr) {
    const ComponentSpec& c = find_component(reader, reader.member(node, "component"), components);
    component = c.name;
    priority = c.priority;
  }
  if (reader.find(node, "priority") != nullptr) {
    priority = read_priority(reader, reader.member(node, "priority"));
  }
}

KernelSpec read_kernel(const JsonReader& reader, const JsonNode& node) {
  reader.expect_object(node);
  KernelSpec spec;
  spec.type =
      read_choice(reader, reader.require(node, "type"), "kernel type", "spin, gemm, sleep, fail",
                  [](const std::string& t) { return parse_kernel_type(t); });
  if (spec.type == KernelType::gemm) {
    read_gemm(reader, node, spec);
  } else if (spec.type == KernelType::fail) {
    reader.expect_object(node, {"type", "message"});
    spec.message = "injected failure";
    if (reader.find(node, "message") != nullptr) {
      spec.message = reader.string(reader.member(node, "message"));
    }
  } else {
    read_timed(reader, node, spec);
  }
  return spec;
}

RawOperation read_operation(const JsonReader& reader, const JsonNode& node,
                            const std::vector<ComponentSpec>& components) {
  reader.expect_object(
      node, {"name", "component", "priority", "kernel", "after", "reads", "writes", "read_writes",
             "cost_hint_us", "memory_bytes", "device", "repeat", "arrive_ms", "deadline_ms"});
  RawOperation raw;
  raw.path = node.path;
  OperationSpec& op = raw.spec;
  op.name = reader.name(reader.require(node, "name"));
  read_component_and_priority(reader, node, components, op.component, op.priority);
  op.kernel = read_kernel(reader, reader.require(node, "kernel"));
  auto names = [&](const char* key) {
    return reader.find(node, key) != nullptr ? reader.names(reader.member(node, key))
                                             : std::vector<std::string>{};
  };
  op.after = names("after");
  op.reads = names("reads");
  op.writes = names("writes");
  op.read_writes = names("read_writes");
  if (reader.find(node, "cost_hint_us") != nullptr) {
    op.cost_hint_us = reader.number(reader.member(node, "cost_hint_us"), false,
                                    std::numeric_limits<float>::max());
  }
  if (reader.find(node, "memory_bytes") != nullptr) {
    op.memory_bytes =
        reader.integer(reader.member(node, "memory_bytes"), false, std::uint64_t{1} << 62);
  }
  if (reader.find(node, "device") != nullptr) {
    op.device = read_device(reader, reader.member(node, "device"));
  }
  if (reader.find(node, "repeat") != nullptr) {
    raw.repeat = reader.integer(reader.member(node, "repeat"), true, k_max_repeat);
  }
  if (reader.find(node, "arrive_ms") != nullptr) {
    op.arrive_ms = reader.number(reader.member(node, "arrive_ms"), false, k_max_time_ms);
  }
  if (reader.find(node, "deadline_ms") != nullptr) {
    op.deadline_ms = reader.number(reader.member(node, "deadline_ms"), true, k_max_time_ms);
  }
  return raw;
}

}  // namespace neat::detail
