// parse_workload() and load_workload(): the document and its components. [workload.format]
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "workload_parser.hpp"

namespace neat {
namespace {

using detail::JsonNode;
using detail::JsonReader;

std::vector<ComponentSpec> read_components(const JsonReader& reader, const JsonNode& node) {
  std::vector<ComponentSpec> components;
  for (const JsonNode& element : reader.array(node)) {
    reader.expect_object(element,
                         {"name", "priority", "importance", "memory_budget_bytes", "device"});
    ComponentSpec c;
    c.name = reader.name(reader.require(element, "name"));
    if (reader.find(element, "priority") != nullptr) {
      c.priority = detail::read_priority(reader, reader.member(element, "priority"));
    }
    if (reader.find(element, "importance") != nullptr) {
      c.importance = reader.number(reader.member(element, "importance"), false,
                                   std::numeric_limits<double>::max());
    }
    if (reader.find(element, "memory_budget_bytes") != nullptr) {
      c.memory_budget_bytes = reader.integer(reader.member(element, "memory_budget_bytes"), true,
                                             std::uint64_t{1} << 62);
    }
    if (reader.find(element, "device") != nullptr) {
      c.device = detail::read_device(reader, reader.member(element, "device"));
    }
    components.push_back(std::move(c));
  }
  detail::check_component_names(reader, components);
  return components;
}

std::vector<detail::RawOperation> read_operations(const JsonReader& reader, const JsonNode& node,
                                                  const std::vector<ComponentSpec>& components) {
  std::vector<JsonNode> elements = reader.array(node);
  if (elements.empty()) reader.fail(node.path, "must list at least one operation");
  std::vector<detail::RawOperation> operations;
  operations.reserve(elements.size());
  for (const JsonNode& element : elements) {
    operations.push_back(detail::read_operation(reader, element, components));
  }
  return operations;
}

}  // namespace

Workload parse_workload(std::string_view json_text, std::string_view source_name) {
  const JsonReader reader(source_name);
  const detail::Json document = reader.parse(json_text);
  const JsonNode root{document, ""};
  reader.expect_object(root, {"$schema", "name", "description", "components", "data", "operations",
                              "pipelines", "request_streams"});
  Workload workload;
  workload.source = std::string(source_name);
  if (reader.find(root, "$schema") != nullptr) (void)reader.string(reader.member(root, "$schema"));
  workload.name = reader.name(reader.require(root, "name"));
  if (reader.find(root, "description") != nullptr) {
    workload.description = reader.string(reader.member(root, "description"));
  }
  if (reader.find(root, "components") != nullptr) {
    workload.components = read_components(reader, reader.member(root, "components"));
  }
  std::optional<std::vector<std::string>> declared_data;
  if (reader.find(root, "data") != nullptr) {
    declared_data = reader.names(reader.member(root, "data"));
    detail::check_data_names(reader, *declared_data);
  }
  // A file with pipelines or request streams may leave out operations; otherwise they are the
  // whole run and must be there.
  const bool streams_or_pipelines = reader.find(root, "pipelines") != nullptr ||
                                    reader.find(root, "request_streams") != nullptr;
  std::vector<detail::RawOperation> raw;
  if (!streams_or_pipelines || reader.find(root, "operations") != nullptr) {
    raw = read_operations(reader, reader.require(root, "operations"), workload.components);
  }
  detail::resolve_operations(reader, raw, declared_data, workload);
  if (reader.find(root, "pipelines") != nullptr) {
    workload.pipelines =
        detail::read_pipelines(reader, reader.member(root, "pipelines"), workload.components);
  }
  if (reader.find(root, "request_streams") != nullptr) {
    workload.request_streams = detail::read_request_streams(
        reader, reader.member(root, "request_streams"), workload.components);
  }
  return workload;
}

Workload load_workload(const std::string& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    throw WorkloadError(path, "", "is a directory, not a workload file");
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw WorkloadError(path, "", fmt::format("cannot open the file: {}", std::strerror(errno)));
  }
  std::ostringstream text;
  text << file.rdbuf();
  return parse_workload(text.str(), path);
}

}  // namespace neat
