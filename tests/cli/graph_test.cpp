// `neatsched graph`: the summary and the DOT export, of a file or of the built-in workload.
#include "cli_test_support.hpp"

namespace neat::cli_test {
namespace {

TEST(CliGraph, SummaryOfAFile) {
  const Result r = neatsched("graph " + example("fork_join.json"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("workload fork_join (" + example("fork_join.json") + ")\n"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "operations             10\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "edges                  16\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "levels                 3\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "independent subgraphs  1\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "critical path: split -> ")) << r.out;
  EXPECT_TRUE(contains(r.out, " -> join\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "total work")) << r.out;
  EXPECT_TRUE(contains(r.out, "driver")) << r.out;
  EXPECT_TRUE(contains(r.out, "workers")) << r.out;
}

TEST(CliGraph, DotOfAFile) {
  const Result r = neatsched("graph " + example("chain.json") + " --dot");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("digraph")) << r.out;
  for (const char* name : {"load", "stage#0", "stage#2", "store", "pipeline"}) {
    EXPECT_TRUE(contains(r.out, name)) << name;
  }
  EXPECT_TRUE(contains(r.out, "->"));
}

TEST(CliGraph, BuiltInWorkloadWithoutAFile) {
  const Result dot = neatsched("graph --dot");
  EXPECT_EQ(dot.exit_code, 0) << dot.err;
  EXPECT_TRUE(dot.out.starts_with("digraph"));
  EXPECT_TRUE(contains(dot.out, "memory_recall"));
  EXPECT_TRUE(contains(dot.out, "titans_memory"));
  const Result summary = neatsched("graph");
  EXPECT_EQ(summary.exit_code, 0) << summary.err;
  EXPECT_TRUE(summary.out.starts_with("workload neat_default (<built-in>)\n")) << summary.out;
  EXPECT_TRUE(contains(summary.out, "transformer2_adaptation"));
}

}  // namespace
}  // namespace neat::cli_test
