// BatchOptimizer: bad options are refused with the option named; defaults.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "batch/batch_optimizer_test_support.hpp"
#include "neat/batch/batch_optimizer.hpp"
#include "neat/common/error.hpp"
#include "neat/resources/hardware_fingerprint.hpp"
#include "neat/resources/memory_budget.hpp"

namespace neat {
namespace {

using std::chrono::nanoseconds;
using test::optimizer_options;
using ::testing::HasSubstr;

struct BadOption {
  const char* name;
  std::function<void(BatchOptimizerOptions&)> change;
  const char* message;
};

class BatchOptimizerBadOptions : public ::testing::TestWithParam<BadOption> {};

TEST_P(BatchOptimizerBadOptions, AreRefusedWithTheOptionNamed) {
  BatchOptimizerOptions o = optimizer_options();
  GetParam().change(o);
  try {
    BatchOptimizer optimizer(o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(GetParam().message));
  }
}

MemoryBudgetManager& shared_memory() {
  static test::FakeMemory fake;
  static MemoryBudgetManager memory(test::fake_options(fake, 1024 * test::k_kib));
  return memory;
}

INSTANTIATE_TEST_SUITE_P(
    Options, BatchOptimizerBadOptions,
    ::testing::Values(
        BadOption{"component", [](auto& o) { o.component.clear(); },
                  "component: must not be empty"},
        BadOption{"min", [](auto& o) { o.min_size = 0; }, "'encoder': min_size: must be >= 1"},
        BadOption{"max", [](auto& o) { o.max_size = 0; }, "max_size: 0 is below min_size 1"},
        BadOption{"initial", [](auto& o) { o.initial_size = 300; },
                  "initial_size: 300 is outside min_size..max_size (1..256)"},
        BadOption{"limit", [](auto& o) { o.latency_limit = nanoseconds(0); },
                  "latency_limit: must be > 0, got 0 ns"},
        BadOption{"bytes", [](auto& o) { o.bytes_per_item = 8; },
                  "bytes_per_item: needs a memory manager"},
        BadOption{"reps", [](auto& o) { o.sweep_repetitions = 0; }, "sweep_repetitions: must be"},
        BadOption{"step", [](auto& o) { o.additive_step = 0; }, "additive_step: must be >= 1"},
        BadOption{"factor", [](auto& o) { o.decrease_factor = 1.0; },
                  "decrease_factor: 1 is not in (0, 1)"},
        BadOption{"grow", [](auto& o) { o.grow_below = 0.0; }, "grow_below: 0 is not in (0, 1)"},
        BadOption{"settle", [](auto& o) { o.settle_batches = 0; }, "settle_batches: must be >= 1"},
        BadOption{"confirm", [](auto& o) { o.confirm_batches = 20; },
                  "confirm_batches: 20 is outside 1..settle_batches (16)"},
        BadOption{"unknown", [](auto& o) { o.memory = &shared_memory(); },
                  "'encoder': memory: unknown component 'encoder'"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(BatchOptimizerOptionsTest, HardwareDefaultsToThisMachine) {
  BatchOptimizerOptions o = optimizer_options();
  o.hardware.clear();
  BatchOptimizer optimizer(o);
  EXPECT_EQ(optimizer.options().hardware, read_hardware_fingerprint().text());
  EXPECT_EQ(optimizer.preferred_size(), 1u);
  EXPECT_FALSE(optimizer.load());  // no cache file
}

}  // namespace
}  // namespace neat
