// Reading the "pipelines" list: streams of items through stages. [workload.pipelines]
#include <fmt/format.h>

#include "workload_parser.hpp"

namespace neat::detail {
namespace {

// Deadlines belong to operations; a pipeline (or a stage) with one is refused by name rather
// than as an unknown key, so the message says why.
void refuse_deadline(const JsonReader& reader, const JsonNode& node, const char* what) {
  if (reader.find(node, "deadline_ms") != nullptr) {
    reader.fail(child_path(node.path, "deadline_ms"),
                fmt::format("{} have no deadline; only operations do", what));
  }
}

PipelineStageSpec read_stage(const JsonReader& reader, const JsonNode& node) {
  refuse_deadline(reader, node, "pipeline stages");
  reader.expect_object(node, {"name", "kernel", "parallel"});
  PipelineStageSpec stage;
  stage.name = reader.name(reader.require(node, "name"));
  const JsonNode kernel = reader.require(node, "kernel");
  stage.kernel = read_kernel(reader, kernel);
  if (stage.kernel.checkpoint_us > 0.0) {
    reader.fail(child_path(kernel.path, "checkpoint_us"),
                "pipeline stages run to completion and cannot pause; checkpoints are for "
                "operations");
  }
  if (reader.find(node, "parallel") != nullptr) {
    stage.parallel = reader.boolean(reader.member(node, "parallel"));
  }
  return stage;
}

std::vector<PipelineStageSpec> read_stages(const JsonReader& reader, const JsonNode& node) {
  const std::vector<JsonNode> elements = reader.array(node);
  if (elements.empty()) reader.fail(node.path, "must list at least one stage");
  return read_named_list(reader, elements, "stage",
                         [&](const JsonNode& element) { return read_stage(reader, element); });
}

PipelineSpec read_pipeline(const JsonReader& reader, const JsonNode& node,
                           const std::vector<ComponentSpec>& components) {
  refuse_deadline(reader, node, "pipelines");
  reader.expect_object(
      node, {"name", "component", "priority", "items", "in_flight", "arrive_ms", "stages"});
  PipelineSpec p;
  p.name = reader.name(reader.require(node, "name"));
  read_component_and_priority(reader, node, components, p.component, p.priority);
  p.items = reader.integer(reader.require(node, "items"), true, k_max_repeat);
  if (reader.find(node, "in_flight") != nullptr) {
    p.in_flight = reader.integer(reader.member(node, "in_flight"), true, k_max_in_flight);
  }
  if (reader.find(node, "arrive_ms") != nullptr) {
    p.arrive_ms = reader.number(reader.member(node, "arrive_ms"), false, k_max_time_ms);
  }
  p.stages = read_stages(reader, reader.require(node, "stages"));
  return p;
}

}  // namespace

std::vector<PipelineSpec> read_pipelines(const JsonReader& reader, const JsonNode& node,
                                         const std::vector<ComponentSpec>& components) {
  return read_named_array(reader, node, "pipeline", [&](const JsonNode& element) {
    return read_pipeline(reader, element, components);
  });
}

}  // namespace neat::detail
