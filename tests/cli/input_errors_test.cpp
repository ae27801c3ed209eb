// Bad input: malformed files, cycles, missing files, unwritable trace paths. Exit code 2, the
// error on stderr prefixed "neatsched: " naming the file and the JSON path, and nothing runs.
#include <ostream>

#include "cli_test_support.hpp"

namespace neat::cli_test {
namespace {

struct BadFile {
  const char* file;
  const char* error;  // what follows "neatsched: <path>: "
};

// gtest prints the parameter in test names and failures.
void PrintTo(const BadFile& bad, std::ostream* out) { *out << bad.file; }

class CliBadFile : public ::testing::TestWithParam<BadFile> {};

TEST_P(CliBadFile, RunAndGraphRefuseIt) {
  const std::string path = example(std::string("bad/") + GetParam().file);
  for (const std::string command : {"run ", "run --sequential ", "graph ", "graph --dot "}) {
    const Result r = neatsched(command + path);
    EXPECT_EQ(r.exit_code, 2) << command;
    EXPECT_EQ(r.out, "") << command;  // nothing ran, nothing printed
    EXPECT_TRUE(r.err.starts_with("neatsched: " + path + ": " + GetParam().error))
        << command << ": " << r.err;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Examples, CliBadFile,
    ::testing::Values(
        BadFile{"negative_size.json", "/operations/1/kernel/m: must be positive, got -64"},
        BadFile{"unknown_key.json",
                "/operations/1/prioirty: unknown key 'prioirty' (did you mean 'priority'?)"},
        BadFile{"unknown_after.json", "/operations/1/after/1: unknown operation 'c'"},
        BadFile{"unknown_component.json",
                "/operations/1/component: unknown component 'memory' (declared: encoder, "
                "decoder)"},
        BadFile{"unknown_kernel.json", "/operations/0/kernel/type: unknown kernel type 'conv2d'"},
        BadFile{"syntax_error.json", "invalid JSON: parse error at line 4, column 57"},
        BadFile{"cycle.json", "dependency cycle: "},
        BadFile{"stage_deadline.json",
                "/pipelines/0/stages/1/deadline_ms: pipeline stages have no deadline; only "
                "operations do"},
        BadFile{"stream_two_loops.json",
                "/request_streams/0/clients: give either rate_per_s (open loop) or clients "
                "(closed loop), not both"},
        BadFile{"after_later_arrival.json",
                "/operations/1/after/0: 'recall' arrives at 20 ms, later than this operation "
                "(5 ms); an operation can only wait for one that arrives no later"}),
    [](const ::testing::TestParamInfo<BadFile>& param) {
      std::string name = param.param.file;
      return name.substr(0, name.find('.'));
    });

TEST(CliInputErrors, CycleNamesEveryOperationOnIt) {
  const Result r = neatsched("run " + example("bad/cycle.json"));
  EXPECT_EQ(r.exit_code, 2);
  for (const char* name : {"encode", "recall", "adapt"}) {
    EXPECT_TRUE(contains(r.err, name)) << r.err;
  }
  EXPECT_FALSE(contains(r.err, "start")) << r.err;  // not on the cycle
}

TEST(CliInputErrors, MissingFile) {
  for (const char* command : {"run ", "graph "}) {
    const Result r = neatsched(std::string(command) + "/nonexistent/w.json");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err,
              "neatsched: /nonexistent/w.json: cannot open the file: No such file or directory\n");
  }
}

TEST(CliInputErrors, UnwritableTraceIsRefusedBeforeRunning) {
  const Result r = neatsched("run " + example("chain.json") + " --trace /nonexistent/t.json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(r.err.starts_with("neatsched: cannot write the trace file '/nonexistent/t.json'"))
      << r.err;
}

}  // namespace
}  // namespace neat::cli_test
