// docs/workload.schema.json and docs/workload-format.md agree with the parser: the schema names
// exactly the keys and kernel types the parser accepts, and the documented example parses.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

#include "neat/workload/workload.hpp"

namespace neat {
namespace {

using nlohmann::json;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

json schema() {
  return json::parse(read_file(NEAT_SOURCE_DIR "/docs/workload.schema.json"));
}

std::set<std::string> keys(const json& object) {
  std::set<std::string> out;
  for (const auto& [key, value] : object.items()) out.insert(key);
  return out;
}

TEST(WorkloadSchema, NamesTheKeysTheParserAccepts) {
  const json s = schema();
  EXPECT_EQ(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
  EXPECT_EQ(keys(s["properties"]),
            (std::set<std::string>{"$schema", "name", "description", "components", "data",
                                   "operations", "pipelines", "request_streams"}));
  EXPECT_EQ(keys(s["$defs"]["component"]["properties"]),
            (std::set<std::string>{"name", "priority", "importance", "memory_budget_bytes",
                                   "device"}));
  // Every operation key in the schema is accepted by the parser.
  const std::string base = R"({"name": "a", "kernel": {"type": "spin", "us": 1})";
  const std::map<std::string, std::string> values = {
      {"component", R"("c")"}, {"priority", R"("low")"}, {"after", "[]"},
      {"reads", "[]"},         {"writes", "[]"},         {"read_writes", "[]"},
      {"cost_hint_us", "1"},   {"memory_bytes", "1"},    {"device", R"("cpu")"},
      {"repeat", "2"},         {"arrive_ms", "1.5"},     {"deadline_ms", "3"}};
  for (const std::string& key : keys(s["$defs"]["operation"]["properties"])) {
    if (key == "name" || key == "kernel") continue;
    ASSERT_TRUE(values.contains(key)) << "schema key '" << key << "' not tested here";
    const std::string text = R"({"name": "t", "components": [{"name": "c"}], "operations": [)" +
                             base + ", \"" + key + "\": " + values.at(key) + "}]}";
    EXPECT_NO_THROW((void)parse_workload(text, "t.json")) << key;
  }
  EXPECT_EQ(keys(s["$defs"]["operation"]["properties"]).size(), values.size() + 2);
}

// Every pipeline and stage key in the schema is accepted by the parser, and the required ones
// are required by it.
TEST(WorkloadSchema, NamesThePipelineKeysTheParserAccepts) {
  const json s = schema();
  const std::map<std::string, std::string> pipeline_values = {
      {"component", R"("c")"}, {"priority", R"("low")"}, {"in_flight", "2"}, {"arrive_ms", "1"}};
  const std::string stage = R"({"name": "s", "kernel": {"type": "spin", "us": 1})";
  const auto parse_with = [&](const std::string& pipeline_extra, const std::string& stage_extra) {
    const std::string text =
        R"({"name": "t", "components": [{"name": "c"}], "operations": [{"name": "a", )"
        R"("kernel": {"type": "spin", "us": 1}}], "pipelines": [{"name": "p", "items": 2, )" +
        pipeline_extra + R"("stages": [)" + stage + stage_extra + "}]}]}";
    return parse_workload(text, "t.json");
  };
  for (const std::string& key : keys(s["$defs"]["pipeline"]["properties"])) {
    if (key == "name" || key == "items" || key == "stages") continue;
    ASSERT_TRUE(pipeline_values.contains(key)) << "schema key '" << key << "' not tested here";
    EXPECT_NO_THROW((void)parse_with("\"" + key + "\": " + pipeline_values.at(key) + ", ", ""))
        << key;
  }
  EXPECT_EQ(keys(s["$defs"]["pipeline"]["properties"]).size(), pipeline_values.size() + 3);
  EXPECT_EQ(s["$defs"]["pipeline"]["required"], json({"name", "items", "stages"}));
  EXPECT_EQ(keys(s["$defs"]["stage"]["properties"]),
            (std::set<std::string>{"name", "kernel", "parallel"}));
  EXPECT_TRUE(parse_with("", R"(, "parallel": true)").pipelines[0].stages[0].parallel);
}

// Every request stream key in the schema is accepted by the parser; the batcher keys and the
// batched kernel types are the ones it reads.
TEST(WorkloadSchema, NamesTheRequestStreamKeysTheParserAccepts) {
  const json s = schema();
  const json& stream = s["$defs"]["request_stream"];
  EXPECT_EQ(stream["required"], json({"name", "component", "requests", "kernel"}));
  const std::map<std::string, std::string> values = {
      {"priority", R"("low")"},
      {"rate_per_s", "10"},
      {"arrival", R"("poisson")"},
      {"seed", "3"},
      {"clients", "2"},
      {"arrive_ms", "1"},
      {"memory_bytes", "8"},
      {"timeout_ms", "5"},
      {"batcher", "{}"},
      {"timeout_policy", R"("run_anyway", "timeout_ms": 5)"}};
  for (const std::string& key : keys(stream["properties"])) {
    if (key == "name" || key == "component" || key == "requests" || key == "kernel") continue;
    ASSERT_TRUE(values.contains(key)) << "schema key '" << key << "' not tested here";
    // An open loop unless the key is clients; arrival and seed go with rate_per_s.
    const std::string loop = key == "clients" || key == "rate_per_s" ? "" : R"("rate_per_s": 10, )";
    const std::string text =
        R"({"name": "t", "components": [{"name": "c"}], "operations": [{"name": "a", )"
        R"("kernel": {"type": "spin", "us": 1}}], "request_streams": [{"name": "s", )"
        R"("component": "c", "requests": 2, "kernel": {"type": "spin"}, )" +
        loop + "\"" + key + "\": " + values.at(key) + "}]}";
    EXPECT_NO_THROW((void)parse_workload(text, "t.json")) << key;
  }
  EXPECT_EQ(keys(stream["properties"]).size(), values.size() + 4);
  EXPECT_EQ(keys(s["$defs"]["stream_batcher"]["properties"]),
            (std::set<std::string>{"max_batch", "preferred_sizes", "max_delay_us", "adaptive_delay",
                                   "max_in_flight", "queue_capacity"}));
  std::set<std::string> types;
  for (const json& alternative : s["$defs"]["batched_kernel"]["oneOf"]) {
    types.insert(alternative["properties"]["type"]["const"].get<std::string>());
  }
  EXPECT_EQ(types, (std::set<std::string>{"spin", "sleep", "fail"}));
}

TEST(WorkloadSchema, CheckpointsOnSpinAndSleepOnly) {
  const json s = schema();
  for (const json& alternative : s["$defs"]["kernel"]["oneOf"]) {
    const std::string type = alternative["properties"]["type"]["const"];
    const bool has = alternative["properties"].contains("checkpoint_us");
    EXPECT_EQ(has, type == "spin" || type == "sleep") << type;
  }
  for (const char* type : {"spin", "sleep"}) {
    const std::string text = R"({"name": "t", "operations": [{"name": "a", "kernel": {"type": ")" +
                             std::string(type) + R"(", "us": 10, "checkpoint_us": 5}}]})";
    EXPECT_EQ(parse_workload(text, "t.json").operations[0].kernel.checkpoint_us, 5.0) << type;
  }
}

TEST(WorkloadSchema, NamesTheKernelTypes) {
  const json s = schema();
  std::set<std::string> types;
  for (const json& t : s["$defs"]["kernel"]["properties"]["type"]["enum"]) {
    types.insert(t.get<std::string>());
    EXPECT_TRUE(parse_kernel_type(t.get<std::string>()).has_value()) << t;
  }
  EXPECT_EQ(types, (std::set<std::string>{"spin", "gemm", "sleep", "fail"}));
  EXPECT_EQ(s["$defs"]["kernel"]["oneOf"].size(), types.size());
}

TEST(WorkloadFormatDoc, ExampleParses) {
  const std::string doc = read_file(NEAT_SOURCE_DIR "/docs/workload-format.md");
  const std::size_t begin = doc.find("```json\n");
  ASSERT_NE(begin, std::string::npos);
  const std::size_t end = doc.find("```", begin + 8);
  const Workload w = parse_workload(doc.substr(begin + 8, end - begin - 8), "workload-format.md");
  EXPECT_EQ(w.name, "tiny");
  EXPECT_EQ(w.operations.size(), 6u);
  OperationDependencyGraph g;
  (void)instantiate(w, g);
  EXPECT_EQ(g.name(g.topological_order().back()), "report");
}

// The first JSON example after `heading` in docs/workload-format.md, parsed.
Workload doc_example(const std::string& heading) {
  const std::string doc = read_file(NEAT_SOURCE_DIR "/docs/workload-format.md");
  const std::size_t section = doc.find(heading);
  const std::size_t begin = doc.find("```json\n", section);
  if (section == std::string::npos || begin == std::string::npos) {
    throw std::runtime_error("no JSON example under " + heading);
  }
  const std::size_t end = doc.find("```", begin + 8);
  return parse_workload(doc.substr(begin + 8, end - begin - 8), "workload-format.md");
}

TEST(WorkloadFormatDoc, SchedulerExampleParses) {
  const Workload w = doc_example("## Scheduler runs");
  EXPECT_EQ(w.name, "preemption");
  EXPECT_EQ(w.operations.size(), 4u);
  EXPECT_EQ(w.operations[0].kernel.checkpoint_us, 100.0);
  EXPECT_EQ(w.operations[3].deadline_ms, 5.0);
  ASSERT_EQ(w.pipelines.size(), 1u);
  EXPECT_EQ(w.pipelines[0].stages.size(), 2u);
}

TEST(WorkloadFormatDoc, RequestStreamExampleParses) {
  const Workload w = doc_example("## Request streams");
  ASSERT_EQ(w.request_streams.size(), 2u);
  EXPECT_EQ(w.request_streams[0].arrival, ArrivalProcess::poisson);
  EXPECT_EQ(w.request_streams[1].clients, 4u);
}

}  // namespace
}  // namespace neat
