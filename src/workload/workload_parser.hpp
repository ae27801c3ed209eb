// Internal steps of parse_workload(): reading each part of the document (parse_workload.cpp,
// parse_operation.cpp, parse_pipeline.cpp, parse_request_stream.cpp) and the checks across
// parts (resolve_workload.cpp).
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "json_reader.hpp"
#include "neat/workload/workload.hpp"

namespace neat::detail {

/// An operation as written in the file, before `repeat` expansion and name resolution.
struct RawOperation {
  OperationSpec spec;
  std::string path;          // "/operations/<i>"
  std::uint64_t repeat = 0;  // 0: no "repeat" key
};

/// Upper bounds that keep a typo from hanging or exhausting the machine.
inline constexpr double k_max_kernel_us = 60e6;  // one minute
inline constexpr std::uint64_t k_max_gemm_dimension = 1u << 20;
inline constexpr std::uint64_t k_max_gemm_bytes = std::uint64_t{1} << 30;  // 1 GiB
inline constexpr std::uint64_t k_max_repeat = 100000;
inline constexpr double k_max_time_ms = 600000.0;  // arrivals and deadlines: ten minutes
inline constexpr std::uint64_t k_max_in_flight = 4096;

[[nodiscard]] ExecutionPriority read_priority(const JsonReader& reader, const JsonNode& node);
/// One of a fixed set of words, read by `parse` (text -> std::optional<T>); otherwise the error
/// "unknown <what> 'x' (allowed: <allowed>)".
template <class Parse>
auto read_choice(const JsonReader& reader, const JsonNode& node, const char* what,
                 const char* allowed, Parse parse) {
  const std::string text = reader.string(node);
  const auto value = parse(text);
  if (!value) {
    reader.fail(node.path, fmt::format("unknown {} '{}' (allowed: {})", what, text, allowed));
  }
  return *value;
}

/// "work" or "deadline".
[[nodiscard]] SpinMode read_spin_mode(const JsonReader& reader, const JsonNode& node);
/// "any", "cpu" or "cuda".
[[nodiscard]] DeviceAffinity read_device(const JsonReader& reader, const JsonNode& node);
[[nodiscard]] KernelSpec read_kernel(const JsonReader& reader, const JsonNode& node);
/// The optional "component" (a declared one; its priority becomes the default) and "priority"
/// members of an operation or a pipeline.
void read_component_and_priority(const JsonReader& reader, const JsonNode& node,
                                 const std::vector<ComponentSpec>& components,
                                 std::string& component, ExecutionPriority& priority);
/// Each element read by `read`, refusing a name that an earlier element already has
/// ("duplicate <what> name 'x' (also /path)").
template <class Read>
auto read_named_list(const JsonReader& reader, const std::vector<JsonNode>& elements,
                     const char* what, Read read) {
  std::vector<decltype(read(elements.front()))> items;
  for (std::size_t i = 0; i < elements.size(); ++i) {
    items.push_back(read(elements[i]));
    for (std::size_t j = 0; j < i; ++j) {
      if (items[j].name == items[i].name) {
        reader.fail(
            child_path(elements[i].path, "name"),
            fmt::format("duplicate {} name '{}' (also {})", what, items[i].name, elements[j].path));
      }
    }
  }
  return items;
}

/// The same for the elements of the array `node`.
template <class Read>
auto read_named_array(const JsonReader& reader, const JsonNode& node, const char* what, Read read) {
  return read_named_list(reader, reader.array(node), what, read);
}

/// The "pipelines" list, each checked (unique names, stages, kernels without checkpoints).
[[nodiscard]] std::vector<PipelineSpec> read_pipelines(
    const JsonReader& reader, const JsonNode& node, const std::vector<ComponentSpec>& components);
/// The "request_streams" list, each checked (unique names, a declared component, one arrival
/// kind, the batched kernel, the batcher's options).
[[nodiscard]] std::vector<RequestStreamSpec> read_request_streams(
    const JsonReader& reader, const JsonNode& node, const std::vector<ComponentSpec>& components);
[[nodiscard]] RawOperation read_operation(const JsonReader& reader, const JsonNode& node,
                                          const std::vector<ComponentSpec>& components);

/// Refuse duplicate component names ("/components/<i>/name").
void check_component_names(const JsonReader& reader, const std::vector<ComponentSpec>& components);
/// Refuse duplicate names in the "data" list.
void check_data_names(const JsonReader& reader, const std::vector<std::string>& data);
/// Expand `repeat`, refuse duplicate operation names, resolve `after` (never to an operation
/// that arrives later), check data names, and fill `out.operations` and `out.data`.
void resolve_operations(const JsonReader& reader, const std::vector<RawOperation>& raw,
                        const std::optional<std::vector<std::string>>& declared_data,
                        Workload& out);

}  // namespace neat::detail
