// --help on every command, --version, and usage errors (exit 2, message on stderr).
#include <regex>

#include "cli_test_support.hpp"

namespace neat::cli_test {
namespace {

TEST(CliHelp, TopLevelListsTheCommands) {
  const Result r = neatsched("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(contains(r.out, "run")) << r.out;
  EXPECT_TRUE(contains(r.out, "graph")) << r.out;
  EXPECT_TRUE(contains(r.out, "--version")) << r.out;
  EXPECT_EQ(r.err, "");
}

TEST(CliHelp, RunListsItsOptions) {
  const Result r = neatsched("run --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* option : {"WORKLOAD.json", "--workers", "--sequential", "--baseline", "--trace",
                             "--json", "--repeat", "--scheduler", "--no-batching"}) {
    EXPECT_TRUE(contains(r.out, option)) << option << " in\n" << r.out;
  }
}

TEST(CliHelp, GraphListsItsOptions) {
  const Result r = neatsched("graph --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(contains(r.out, "--dot")) << r.out;
  EXPECT_TRUE(contains(r.out, "WORKLOAD.json")) << r.out;
  EXPECT_FALSE(contains(r.out, "--sequential")) << r.out;
}

TEST(CliHelp, Version) {
  const Result r = neatsched("--version");
  EXPECT_EQ(r.exit_code, 0);
  // "neatsched MAJOR.MINOR.PATCH" and nothing else.
  EXPECT_TRUE(std::regex_match(r.out, std::regex("neatsched [0-9]+\\.[0-9]+\\.[0-9]+\n"))) << r.out;
}

TEST(CliUsage, ACommandIsRequired) {
  const Result r = neatsched("");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.err.starts_with("neatsched: ")) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(CliUsage, UnknownOptionsAndBadValuesAreRefused) {
  for (const char* args :
       {"run --bogus", "frobnicate", "run --workers many", "run --repeat 0",
        "run --sequential --baseline", "run --sequential --workers 2", "run a.json b.json"}) {
    const Result r = neatsched(args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_TRUE(r.err.starts_with("neatsched: ")) << args << ": " << r.err;
    EXPECT_EQ(r.out, "") << args;
  }
}

}  // namespace
}  // namespace neat::cli_test
