// docs/workload.schema.json and docs/workload-format.md agree with the parser: the schema names
// exactly the keys and kernel types the parser accepts, and the documented example parses.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

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
  EXPECT_EQ(keys(s["properties"]), (std::set<std::string>{"$schema", "name", "description",
                                                          "components", "data", "operations"}));
  EXPECT_EQ(keys(s["$defs"]["component"]["properties"]),
            (std::set<std::string>{"name", "priority", "importance"}));
  // Every operation key in the schema is accepted by the parser.
  const std::string base = R"({"name": "a", "kernel": {"type": "spin", "us": 1})";
  const std::map<std::string, std::string> values = {
      {"component", R"("c")"}, {"priority", R"("low")"}, {"after", "[]"},
      {"reads", "[]"},         {"writes", "[]"},         {"read_writes", "[]"},
      {"cost_hint_us", "1"},   {"memory_bytes", "1"},    {"device", R"("cpu")"},
      {"repeat", "2"}};
  for (const std::string& key : keys(s["$defs"]["operation"]["properties"])) {
    if (key == "name" || key == "kernel") continue;
    ASSERT_TRUE(values.contains(key)) << "schema key '" << key << "' not tested here";
    const std::string text = R"({"name": "t", "components": [{"name": "c"}], "operations": [)" +
                             base + ", \"" + key + "\": " + values.at(key) + "}]}";
    EXPECT_NO_THROW((void)parse_workload(text, "t.json")) << key;
  }
  EXPECT_EQ(keys(s["$defs"]["operation"]["properties"]).size(), values.size() + 2);
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

}  // namespace
}  // namespace neat
