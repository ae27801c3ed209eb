// BatchOptimizer's cache file: round trip and reuse, keys, corrupted files, write failures.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "batch/batch_optimizer_test_support.hpp"
#include "neat/batch/batch_optimizer.hpp"
#include "neat/common/error.hpp"

namespace neat {
namespace {

namespace fs = std::filesystem;
using test::curve;
using test::optimizer_options;
using ::testing::HasSubstr;

class BatchOptimizerCache : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("neat_batch_cache_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    file_ = (dir_ / "sizes.json").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  BatchOptimizerOptions options(std::string component = "encoder") const {
    BatchOptimizerOptions o = optimizer_options(std::move(component));
    o.cache_file = file_;
    return o;
  }

  // run_batch over `curve` that counts its calls.
  BatchOptimizer::RunBatch counting() {
    return [this](std::size_t n) {
      ++runs_;
      return curve(n);
    };
  }

  nlohmann::json read() const {
    std::ifstream in(file_);
    return nlohmann::json::parse(in);
  }

  fs::path dir_;
  std::string file_;
  std::size_t runs_ = 0;
};

TEST_F(BatchOptimizerCache, RoundTripReusesTheSizeWithoutSweeping) {
  std::size_t chosen = 0;
  {
    BatchOptimizer first(options());
    EXPECT_FALSE(first.load());  // no file yet
    chosen = first.tune(counting()).size;
  }
  ASSERT_GT(runs_, 0u);
  const nlohmann::json doc = read();
  EXPECT_EQ(doc["format"], "neatsched-batch-sizes");
  ASSERT_EQ(doc["entries"].size(), 1u);
  EXPECT_EQ(doc["entries"][0]["size"], chosen);
  EXPECT_EQ(doc["entries"][0]["hardware"], "test-machine");

  runs_ = 0;
  test::DecisionLog log;
  BatchOptimizerOptions o = options();
  o.observer = &log;
  BatchOptimizer second(o);
  EXPECT_EQ(second.preferred_size(), chosen);  // loaded at construction
  const TuneResult r = second.tune(counting());
  EXPECT_TRUE(r.from_cache);
  EXPECT_EQ(r.size, chosen);
  EXPECT_EQ(r.batches, 0u);
  EXPECT_GT(r.items_per_second, 0.0);
  EXPECT_EQ(runs_, 0u);
  ASSERT_EQ(log.decisions().size(), 1u);
  EXPECT_EQ(log.decisions()[0].to, chosen);
  EXPECT_THAT(log.decisions()[0].reason, HasSubstr("cache: " + std::to_string(chosen) + " items"));
  EXPECT_THAT(log.decisions()[0].reason, HasSubstr(file_));
  EXPECT_TRUE(second.load());
}

TEST_F(BatchOptimizerCache, OtherHardwareComponentOrLimitSweepsAndKeepsOtherEntries) {
  (void)BatchOptimizer(options()).tune(counting());
  const std::size_t one_sweep = runs_;

  BatchOptimizerOptions other_machine = options();
  other_machine.hardware = "another-machine";
  BatchOptimizer a(other_machine);
  EXPECT_FALSE(a.tune(counting()).from_cache);
  EXPECT_EQ(runs_, 2 * one_sweep);

  BatchOptimizer b(options("decoder"));
  EXPECT_FALSE(b.tune(counting()).from_cache);
  EXPECT_EQ(runs_, 3 * one_sweep);

  BatchOptimizerOptions limited = options();
  limited.latency_limit = std::chrono::microseconds(200);
  BatchOptimizer c(limited);
  EXPECT_FALSE(c.tune(counting()).from_cache);
  // The limited entry replaced the unlimited one of (encoder, test-machine).
  const nlohmann::json doc = read();
  ASSERT_EQ(doc["entries"].size(), 3u);
  EXPECT_EQ(doc["entries"][2]["latency_limit_ns"], 200000);
  EXPECT_FALSE(BatchOptimizer(options()).load());
}

TEST_F(BatchOptimizerCache, AHandWrittenEntryIsUsedAsDocumented) {
  std::ofstream(file_) << R"({"format": "neatsched-batch-sizes", "version": 1, "entries": [
    {"component": "encoder", "hardware": "test-machine", "size": 12, "items_per_second": 12.5,
     "min_size": 1, "max_size": 256, "latency_limit_ns": 5000000}]})";
  test::DecisionLog log;
  BatchOptimizerOptions o = options();
  o.latency_limit = std::chrono::milliseconds(5);
  o.observer = &log;
  BatchOptimizer optimizer(o);
  EXPECT_EQ(optimizer.preferred_size(), 12u);
  EXPECT_EQ(optimizer.stats().ceiling, 12u);  // online growth stops at the cached choice
  const TuneResult r = optimizer.tune(counting());
  EXPECT_EQ(r.items_per_second, 12.5);
  EXPECT_EQ(runs_, 0u);
  ASSERT_EQ(log.decisions().size(), 1u);
  EXPECT_EQ(log.decisions()[0].reason, "cache: 12 items (12.5 items/s) from " + file_);
}

struct BadFile {
  const char* name;
  const char* text;
  const char* message;
};

class BatchOptimizerBadCache : public BatchOptimizerCache,
                               public ::testing::WithParamInterface<BadFile> {};

TEST_P(BatchOptimizerBadCache, IsAnErrorNamingTheFileAndThePlace) {
  std::ofstream(file_) << GetParam().text;
  try {
    BatchOptimizer optimizer(options());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(file_ + ": "));
    EXPECT_THAT(e.what(), HasSubstr(GetParam().message));
  }
}

#define NEAT_ENTRY(fields)                                                               \
  R"({"format": "neatsched-batch-sizes", "version": 1, "entries": [{"component": "e", )" \
  R"("hardware": "h", "items_per_second": 1.5, "latency_limit_ns": 0, )" fields "}]}"

INSTANTIATE_TEST_SUITE_P(
    Files, BatchOptimizerBadCache,
    ::testing::Values(
        BadFile{"not_json", "{\"format\": ", "(root): not valid JSON"},
        BadFile{"not_object", "[1]", "(root): expected an object, got array"},
        BadFile{"missing", R"({"format": "neatsched-batch-sizes", "version": 1})",
                "(root): missing required field 'entries'"},
        BadFile{"unknown", R"({"format": "x", "version": 1, "entries": [], "extra": 1})",
                "/extra: unknown field"},
        BadFile{"format", R"({"format": "x", "version": 1, "entries": []})",
                "/format: expected \"neatsched-batch-sizes\", got \"x\""},
        BadFile{"version", R"({"format": "neatsched-batch-sizes", "version": 2, "entries": []})",
                "/version: unsupported version 2 (this build reads 1)"},
        BadFile{"entries", R"({"format": "neatsched-batch-sizes", "version": 1, "entries": {}})",
                "/entries: expected an array"},
        BadFile{"size", NEAT_ENTRY(R"("size": 0, "min_size": 1, "max_size": 8)"),
                "/entries/0/size: expected an integer >= 1, got 0"},
        BadFile{"range", NEAT_ENTRY(R"("size": 9, "min_size": 1, "max_size": 8)"),
                "/entries/0/size: 9 is outside min_size..max_size (1..8)"},
        BadFile{"max", NEAT_ENTRY(R"("size": 2, "min_size": 4, "max_size": 3)"),
                "/entries/0/max_size: expected an integer >= 4, got 3"},
        BadFile{"text", NEAT_ENTRY(R"("size": "2", "min_size": 1, "max_size": 3)"),
                "/entries/0/size: expected an integer >= 1, got \"2\""},
        BadFile{"duplicate",
                R"({"format": "neatsched-batch-sizes", "version": 1, "entries": [)"
                R"({"component": "e", "hardware": "h", "size": 2, "items_per_second": 1,)"
                R"( "min_size": 1, "max_size": 8, "latency_limit_ns": 0},)"
                R"({"component": "e", "hardware": "h", "size": 3, "items_per_second": 1,)"
                R"( "min_size": 1, "max_size": 8, "latency_limit_ns": 0}]})",
                "/entries/1: the same component and hardware as /entries/0"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST_F(BatchOptimizerCache, EntryFieldsAreChecked) {
  const auto entry = [](const std::string& component, const std::string& ips,
                        const std::string& limit) {
    return R"({"format": "neatsched-batch-sizes", "version": 1, "entries": [{"component": )" +
           component + R"(, "hardware": "h", "size": 2, "items_per_second": )" + ips +
           R"(, "min_size": 1, "max_size": 8, "latency_limit_ns": )" + limit + "}]}";
  };
  const std::pair<std::string, std::string> cases[] = {
      {entry("\"\"", "1", "0"), "/entries/0/component: must not be empty"},
      {entry("3", "1", "0"), "/entries/0/component: expected a string, got number"},
      {entry("\"e\"", "-1", "0"), "/entries/0/items_per_second: expected a finite number >= 0"},
      {entry("\"e\"", "1", "18446744073709551615"), "/entries/0/latency_limit_ns: too large"},
      {R"({"format": "neatsched-batch-sizes", "version": 1, "entries": [7]})",
       "/entries/0: expected an object, got number"}};
  for (const auto& [text, message] : cases) {
    std::ofstream(file_) << text;
    EXPECT_THROW(
        {
          try {
            BatchOptimizer optimizer(options());
          } catch (const Error& e) {
            EXPECT_THAT(e.what(), HasSubstr(message));
            throw;
          }
        },
        Error);
  }
}

TEST_F(BatchOptimizerCache, ADirectoryIsNotACacheFile) {
  fs::create_directories(file_);
  EXPECT_THROW(
      {
        try {
          BatchOptimizer optimizer(options());
        } catch (const Error& e) {
          EXPECT_THAT(e.what(), HasSubstr(file_ + ": cannot read the batch size cache: it is a "
                                                  "directory"));
          throw;
        }
      },
      Error);
}

TEST_F(BatchOptimizerCache, AFileCorruptedOrUnwritableAtSaveTimeChangesNothing) {
  test::DecisionLog log;
  const BatchOptimizerOptions o = test::observed(options(), log, 8);
  BatchOptimizer optimizer(o);
  std::ofstream(file_) << "garbage";
  EXPECT_THROW((void)optimizer.tune(counting()), Error);
  EXPECT_EQ(optimizer.preferred_size(), 8u);
  EXPECT_THROW((void)optimizer.load(), Error);

  BatchOptimizerOptions nowhere = o;
  nowhere.cache_file = (dir_ / "missing" / "sizes.json").string();
  BatchOptimizer unwritable(nowhere);
  try {
    (void)unwritable.tune(counting());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(nowhere.cache_file + ": cannot write the batch size cache"));
  }
  EXPECT_EQ(unwritable.preferred_size(), 8u);
  EXPECT_FALSE(unwritable.stats().tuned);
  EXPECT_TRUE(log.decisions().empty());
  // Nothing but the corrupted file was left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

}  // namespace
}  // namespace neat
