// PerformanceProfiler::save and load: round trip, fingerprint mismatch, malformed files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "neat/common/error.hpp"
#include "neat/sched/performance_profiler.hpp"
#include "sched/profiler_test_support.hpp"

namespace neat {
namespace {

using test::profiler_options;
namespace fs = std::filesystem;

class ProfilerFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("neat_profiler_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path(name)) << text;
    return path(name);
  }

  static std::string read(const std::string& file) {
    std::ifstream in(file);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path dir_;
};

std::size_t samples_of(const PerformanceProfiler& p) {
  std::size_t n = 0;
  for (const KindReport& k : p.report().kinds) n += k.samples;
  return n;
}

void fill(PerformanceProfiler& p) {
  test::Noise noise(0.05);
  for (int i = 0; i < 10; ++i) {
    const Footprint f{noise.size(8, 64), noise.size(8, 64), noise.size(8, 64)};
    for (int r = 0; r < 3; ++r) p.record("gemm", f, Microseconds(test::gemm_us(f) * noise()));
  }
  p.record("copy", {4096}, Microseconds(3.5));
  p.record("copy", {4096}, Microseconds(4.5));
}

TEST_F(ProfilerFile, SaveThenLoadRestoresThePredictions) {
  PerformanceProfiler original(profiler_options());
  fill(original);
  original.save(path("profile.json"));
  EXPECT_FALSE(fs::exists(path("profile.json.tmp")));

  PerformanceProfiler restored(profiler_options());
  const LoadStatus status = restored.load(path("profile.json"));
  EXPECT_EQ(status.outcome, LoadStatus::Outcome::loaded);
  EXPECT_EQ(status.samples, 32u);
  EXPECT_EQ(status.message, path("profile.json") + ": loaded 32 samples of 2 kinds");
  EXPECT_EQ(samples_of(restored), 32u);
  EXPECT_EQ(restored.report().error.count, 0u);  // loading predicts nothing
  EXPECT_DOUBLE_EQ(*restored.predict_us("copy", {4096}), 4.0);
  for (const Footprint& f : {Footprint{100, 100, 100}, Footprint{9, 9, 9}}) {
    EXPECT_DOUBLE_EQ(*restored.predict_us("gemm", f), *original.predict_us("gemm", f));
  }
  restored.save(path("again.json"));
  EXPECT_EQ(read(path("again.json")), read(path("profile.json")));  // same history, same order
}

TEST_F(ProfilerFile, LoadKeepsTheDroppingOrder) {
  ProfilerOptions o = profiler_options();
  o.max_footprints_per_kind = 2;
  PerformanceProfiler original(o);
  original.record("k", {1}, Microseconds(1));
  original.record("k", {2}, Microseconds(2));
  original.record("k", {1}, Microseconds(1));
  original.save(path("p.json"));
  PerformanceProfiler restored(o);
  ASSERT_EQ(restored.load(path("p.json")).samples, 3u);
  restored.record("k", {3}, Microseconds(3));  // drops {2}, as the original would
  EXPECT_FALSE(restored.predict_us("k", {2}).has_value());
  EXPECT_TRUE(restored.predict_us("k", {1}).has_value());
}

TEST_F(ProfilerFile, AnotherMachinesFileIsIgnored) {
  PerformanceProfiler there(profiler_options("machine-a"));
  fill(there);
  there.save(path("p.json"));
  PerformanceProfiler here(profiler_options("machine-b"));
  here.record("copy", {1}, Microseconds(1));
  const LoadStatus status = here.load(path("p.json"));
  EXPECT_EQ(status.outcome, LoadStatus::Outcome::hardware_mismatch);
  EXPECT_EQ(status.samples, 0u);
  EXPECT_EQ(status.message, path("p.json") +
                                ": ignored: measured on \"machine-a\", this machine is "
                                "\"machine-b\"");
  EXPECT_EQ(samples_of(here), 1u);
  EXPECT_FALSE(here.predict_us("gemm", {8, 8, 8}).has_value());
}

TEST_F(ProfilerFile, AMissingFileIsNotAnError) {
  PerformanceProfiler p(profiler_options());
  const LoadStatus status = p.load(path("absent.json"));
  EXPECT_EQ(status.outcome, LoadStatus::Outcome::no_file);
  EXPECT_EQ(status.message, path("absent.json") + ": no profile file yet");
}

TEST_F(ProfilerFile, LoadAddsToWhatIsThere) {
  PerformanceProfiler a(profiler_options());
  a.record("copy", {1}, Microseconds(10));
  a.save(path("p.json"));
  PerformanceProfiler b(profiler_options());
  b.record("copy", {1}, Microseconds(20));
  b.record("copy", {1}, Microseconds(30));
  ASSERT_EQ(b.load(path("p.json")).outcome, LoadStatus::Outcome::loaded);
  EXPECT_DOUBLE_EQ(*b.predict_us("copy", {1}), 20.0);  // median of 20, 30, 10
}

TEST_F(ProfilerFile, AnEmptyKindListLoadsNothing) {
  PerformanceProfiler p(profiler_options());
  const std::string file =
      write("p.json", R"({"format": "neatsched-profile", "version": 1, "hardware": "test-machine",
                   "kinds": [{"kind": "idle", "footprints": []}]})");
  const LoadStatus status = p.load(file);
  EXPECT_EQ(status.samples, 0u);
  EXPECT_EQ(status.message, file + ": loaded 0 samples of 0 kinds");
  EXPECT_TRUE(p.report().kinds.empty());
}

TEST_F(ProfilerFile, SaveRefusesAnUnwritablePath) {
  PerformanceProfiler p(profiler_options());
  const std::string missing_dir = path("no/such/dir/p.json");
  try {
    p.save(missing_dir);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              missing_dir + ": cannot write the profile file: No such file or directory");
  }
  fs::create_directories(path("taken/inside"));  // rename onto a non-empty directory fails
  EXPECT_THROW(p.save(path("taken")), Error);
  EXPECT_FALSE(fs::exists(path("taken.tmp")));
}

TEST_F(ProfilerFile, LoadRefusesADirectory) {
  PerformanceProfiler p(profiler_options());
  try {
    (void)p.load(dir_.string());
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              dir_.string() + ": cannot read the profile file: it is a directory");
  }
}

// A valid document with one piece replaced.
std::string document(const std::string& kinds, const std::string& head = "") {
  return "{" +
         (head.empty() ? std::string(R"("format": "neatsched-profile", "version": 1)") : head) +
         R"(, "hardware": "test-machine", "kinds": )" + kinds + "}";
}

const std::string k_good_kind =
    R"({"kind": "gemm", "footprints": [{"size": [2, 3, 4], "samples_us": [5.0]}]})";

class MalformedProfile : public ProfilerFile {
 protected:
  void expect_refused(const std::string& text, const std::string& problem) {
    PerformanceProfiler p(profiler_options());
    p.record("copy", {1}, Microseconds(7));
    const std::string file = write("bad.json", text);
    try {
      (void)p.load(file);
      ADD_FAILURE() << "no error for: " << problem;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), file + ": " + problem);
    }
    EXPECT_EQ(samples_of(p), 1u);
    EXPECT_EQ(p.report().kinds.size(), 1u);
  }
};

TEST_F(MalformedProfile, SyntaxErrorsNameTheLineAndColumn) {
  // The column of the character where the parser gave up: the "o" of "nope".
  expect_refused("{\n  \"format\": nope\n}", "line 2, column 14: not valid JSON");
  expect_refused("", "line 1, column 1: not valid JSON");
}

TEST_F(MalformedProfile, TheHeaderIsChecked) {
  expect_refused("[]", "(root): expected an object, got array");
  expect_refused(R"({"format": "neatsched-profile", "version": 1, "hardware": "x"})",
                 "(root): missing required field 'kinds'");
  expect_refused(document("[]", R"("format": "neatsched-profile", "version": 1, "extra": 1)"),
                 "/extra: unknown field");
  expect_refused(document("[]", R"("format": "neatsched-profile", "version": 1, "a/b~": 1)"),
                 "/a~1b~0: unknown field");
  expect_refused(document("[]", R"("format": "other", "version": 1)"),
                 "/format: expected \"neatsched-profile\", got \"other\"");
  expect_refused(document("[]", R"("format": 3, "version": 1)"),
                 "/format: expected a string, got number");
  expect_refused(document("[]", R"("format": "neatsched-profile", "version": 2)"),
                 "/version: unsupported version 2 (this build reads 1)");
  expect_refused(document("[]", R"("format": "neatsched-profile", "version": "1")"),
                 "/version: unsupported version \"1\" (this build reads 1)");
  expect_refused(document("{}"), "/kinds: expected an array, got object");
}

TEST_F(MalformedProfile, WrongTypesAreNamedByTheirPath) {
  expect_refused(document(R"([{"kind": 7, "footprints": []}])"),
                 "/kinds/0/kind: expected a string, got number");
  expect_refused(document(R"([{"kind": "", "footprints": []}])"),
                 "/kinds/0/kind: the kind is empty");
  expect_refused(document(R"([{"kind": "k"}])"), "/kinds/0: missing required field 'footprints'");
  expect_refused(document(R"([{"kind": "k", "footprints": [{"size": [1]}]}])"),
                 "/kinds/0/footprints/0: missing required field 'samples_us'");
  expect_refused(
      document(R"([{"kind": "k", "footprints": [{"size": [1], "samples_us": "fast"}]}])"),
      "/kinds/0/footprints/0/samples_us: expected an array, got string");
  expect_refused(document(R"([{"kind": "k", "footprints": [{"size": ["a"], "samples_us": [1]}]}])"),
                 "/kinds/0/footprints/0/size/0: expected a number, got string");
}

TEST_F(MalformedProfile, NegativeTimesAndSizesAreRefused) {
  expect_refused(
      document(R"([{"kind": "k", "footprints": [{"size": [1], "samples_us": [1, 2, -3]}]}])"),
      "/kinds/0/footprints/0/samples_us/2: must be >= 0, got -3");
  expect_refused(document(R"([{"kind": "k", "footprints": [{"size": [0], "samples_us": [1]}]}])"),
                 "/kinds/0/footprints/0/size/0: must be > 0, got 0");
  expect_refused(document(R"([{"kind": "k", "footprints": [{"size": [1], "samples_us": []}]}])"),
                 "/kinds/0/footprints/0/samples_us: no samples");
}

TEST_F(MalformedProfile, InconsistentContentIsRefused) {
  expect_refused(document("[" + k_good_kind + ", " + k_good_kind + "]"),
                 "/kinds/1/kind: duplicate kind 'gemm' (also at /kinds/0)");
  expect_refused(document(R"([{"kind": "k", "footprints": [{"size": [1], "samples_us": [1]},
                                                           {"size": [1], "samples_us": [2]}]}])"),
                 "/kinds/0/footprints/1/size: the same footprint as /kinds/0/footprints/0");
  expect_refused(document(R"([{"kind": "k", "footprints": [{"size": [1], "samples_us": [1]},
                                  {"size": [1, 2], "samples_us": [2]}]}])"),
                 "/kinds/0/footprints/1/size: 2 numbers, but the first footprint of kind 'k' "
                 "has 1");
  // "copy" holds footprints of one number in the profiler; a valid kind before it is not added.
  expect_refused(
      document("[" + k_good_kind +
               R"(, {"kind": "copy", "footprints": [{"size": [1, 2], "samples_us": [2]}]}])"),
      "/kinds/1/footprints/0/size: 2 numbers, but kind 'copy' here has footprints "
      "of 1");
}

}  // namespace
}  // namespace neat
