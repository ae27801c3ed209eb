// `neatsched run --profile FILE`: learns run times per kernel and size, keeps them in FILE for
// the next run on this machine, and refuses a malformed profile.
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_test_support.hpp"

namespace neat::cli_test {
namespace {

TEST(CliProfile, LearnsSavesAndReloads) {
  const auto profile = scratch("profile.json");
  std::filesystem::remove(profile);
  const Result first = neatsched("run " + example("chain.json") + " --repeat 3 --profile '" +
                                 profile.string() + "'");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(contains(first.out, "no profile file yet")) << first.out;
  EXPECT_TRUE(contains(first.out, "recorded 15 operation runs")) << first.out;
  EXPECT_TRUE(contains(first.out, "spin")) << first.out;  // the chain's kernels
  ASSERT_TRUE(std::filesystem::exists(profile));
  const Result second = neatsched("run " + example("chain.json") + " --profile '" +
                                  profile.string() + "'");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_TRUE(contains(second.out, "loaded")) << second.out;
  std::filesystem::remove(profile);
}

TEST(CliProfile, JsonStaysPureWhenProfiling) {
  const auto profile = scratch("profile.json");
  std::filesystem::remove(profile);
  const Result r = neatsched("run " + example("chain.json") + " --json --profile '" +
                             profile.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json parsed = nlohmann::json::parse(r.out);  // throws when stdout is mixed
  EXPECT_TRUE(parsed.contains("metrics"));
  EXPECT_TRUE(contains(r.err, "recorded 5 operation runs")) << r.err;
  std::filesystem::remove(profile);
}

TEST(CliProfile, MalformedProfileIsRefused) {
  const auto profile = scratch("profile.json");
  std::ofstream(profile) << "{ not json";
  const Result r = neatsched("run " + example("chain.json") + " --profile '" + profile.string() +
                             "'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, profile.string())) << r.err;
  std::filesystem::remove(profile);
}

}  // namespace
}  // namespace neat::cli_test
