// The built-in NEAT workload is valid, acyclic, shaped like the NEAT model (parallel encoders,
// dependent memory and adaptation stages), identical to examples/neat_default.json; and every
// example file loads (examples/bad/ files do not).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "neat/workload/workload.hpp"

namespace neat {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// reach[i] = every operation reachable from i along edges.
std::vector<std::set<std::uint32_t>> reachability(const OperationDependencyGraph& g) {
  std::vector<std::set<std::uint32_t>> reach(g.size());
  const std::vector<OperationId> order = g.topological_order();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    for (const Edge& e : g.edges()) {
      if (e.from != it->index) continue;
      reach[e.from].insert(e.to);
      reach[e.from].insert(reach[e.to].begin(), reach[e.to].end());
    }
  }
  return reach;
}

class DefaultWorkload : public ::testing::Test {
 protected:
  void SetUp() override { built_ = instantiate(workload_, graph_); }
  std::uint32_t id(const std::string& name) const { return graph_.find(name).value().index; }
  bool reaches(const std::string& from, const std::string& to) const {
    return reach_[id(from)].contains(id(to));
  }

  Workload workload_ = default_workload();
  OperationDependencyGraph graph_;
  BuiltWorkload built_;
  std::vector<std::set<std::uint32_t>> reach_ = {};

  void compute_reach() { reach_ = reachability(graph_); }
};

TEST_F(DefaultWorkload, IsTheExampleFile) {
  EXPECT_EQ(default_workload_json(), read_file(NEAT_SOURCE_DIR "/examples/neat_default.json"));
  const Workload file = load_workload(NEAT_SOURCE_DIR "/examples/neat_default.json");
  EXPECT_EQ(workload_.source, "<built-in>");
  EXPECT_EQ(file.name, workload_.name);
  EXPECT_EQ(file.components, workload_.components);
  EXPECT_EQ(file.data, workload_.data);
  EXPECT_EQ(file.operations, workload_.operations);
}

TEST_F(DefaultWorkload, HasTheNeatComponents) {
  std::vector<std::string> names;
  for (const ComponentSpec& c : workload_.components) names.push_back(c.name);
  for (const char* expected : {"blt_encoder", "titans_memory", "transformer2_adaptation",
                               "mvot_tokenizer", "output_head"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
  for (const OperationSpec& op : workload_.operations) {
    EXPECT_FALSE(op.component.empty()) << op.name;
  }
}

TEST_F(DefaultWorkload, IsAcyclicWithIndependentAndDependentStages) {
  EXPECT_NO_THROW(graph_.validate());
  compute_reach();
  // Byte encoding and visual tokenizing are independent branches.
  EXPECT_FALSE(reaches("byte_embed", "image_patchify"));
  EXPECT_FALSE(reaches("image_patchify", "byte_embed"));
  // Memory recall after encoding, adaptation after recall, the head after everything.
  EXPECT_TRUE(reaches("byte_embed", "memory_recall"));
  EXPECT_TRUE(reaches("memory_recall", "task_embed"));
  EXPECT_TRUE(reaches("adapt_q", "logits"));
  EXPECT_TRUE(reaches("visual_embed", "logits"));
  EXPECT_TRUE(reaches("memory_recall", "memory_update"));  // update waits for the recall (WAR)
  EXPECT_EQ(graph_.independent_subgraphs().size(), 1u);
}

TEST_F(DefaultWorkload, MixesRealGemmsWithTransfers) {
  std::size_t gemms = 0;
  std::size_t sleeps = 0;
  for (std::size_t i = 0; i < workload_.operations.size(); ++i) {
    const KernelSpec& k = workload_.operations[i].kernel;
    if (k.type == KernelType::gemm) {
      ++gemms;
      // Small matrices: each product is well under a second even on a slow machine.
      EXPECT_LE(2.0 * k.m * k.n * k.k, 2e8) << workload_.operations[i].name;
    }
    if (k.type == KernelType::sleep) ++sleeps;
    EXPECT_GT(built_.cost_us[i], 0.0);
  }
  EXPECT_GE(gemms, 20u);
  EXPECT_GE(sleeps, 2u);
  // The estimate is the sum of the operations' costs. Its size depends on the gemm rate this
  // machine measured (slow under sanitizers on a loaded machine), so no absolute bound here;
  // the sequential run time is in docs/performance.md.
  double sum = 0.0;
  for (double c : built_.cost_us) sum += c;
  EXPECT_DOUBLE_EQ(built_.total_work_us, sum);
  // Room for parallelism.
  const CriticalPath cp = graph_.critical_path();
  EXPECT_LT(cp.length, 0.8 * cp.total_work);
}

TEST(ExampleFiles, EveryExampleLoadsAndBuilds) {
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(NEAT_SOURCE_DIR "/examples")) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().string());
    const Workload w = load_workload(entry.path().string());
    OperationDependencyGraph g;
    const BuiltWorkload built = instantiate(w, g);
    EXPECT_EQ(g.size(), w.operations.size());
    EXPECT_GT(built.total_work_us, 0.0);
    ++count;
  }
  EXPECT_GE(count, 3u);
}

TEST(ExampleFiles, EveryBadExampleIsRefused) {
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(NEAT_SOURCE_DIR "/examples/bad")) {
    SCOPED_TRACE(entry.path().string());
    bool refused = false;
    try {
      const Workload w = load_workload(entry.path().string());
      OperationDependencyGraph g;
      (void)instantiate(w, g);
    } catch (const WorkloadError& e) {
      refused = true;
      EXPECT_NE(std::string(e.what()).find(entry.path().string()), std::string::npos);
    } catch (const CycleError&) {
      refused = true;
    }
    EXPECT_TRUE(refused);
    ++count;
  }
  EXPECT_GE(count, 5u);
}

}  // namespace
}  // namespace neat
