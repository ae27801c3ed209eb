// run_with_memory_retry with wait_at_minimum [batch.retry]: a piece of the minimum size that is
// refused while others hold memory waits for a release and runs, instead of failing the batch;
// it gives up at the deadline, and never waits for what could never fit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <new>
#include <optional>
#include <vector>

#include "batch/batch_ops_test_support.hpp"
#include "core/test_support.hpp"
#include "neat/batch/batch_ops_retry.hpp"
#include "resources/memory_test_support.hpp"

namespace neat {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test::error_of;
using Vec = std::vector<int>;
using SteadyClock = std::chrono::steady_clock;

class MemoryRetryWait : public ::testing::Test {
 protected:
  MemoryRetryWait() { memory_.register_component({.name = "enc", .memory_budget_bytes = 100}); }
  MemoryRetryOptions waiting(std::chrono::milliseconds wait, std::uint64_t per_item) {
    return {.memory = &memory_,
            .component = "enc",
            .memory_bytes_per_item = per_item,
            .wait_at_minimum = wait};
  }

  test::FakeMemory readings_;
  MemoryBudgetManager memory_{test::fake_options(readings_, 1000)};
};

TEST_F(MemoryRetryWait, ARefusedMinimumPieceRunsAfterARelease) {
  std::optional<Reservation> other = memory_.reserve_or_throw("enc", 90);
  // Each piece needs 10 bytes per item on top of its 1 byte per item: with 90 held by another
  // user, no piece fits. At the first refusal of a 1-item piece the other user lets go (the
  // release comes after the refusal, as from another thread), so waiting helps.
  const auto fn = [&](const Vec& piece) {
    ReservationResult r = memory_.try_reserve("enc", 10 * piece.size());
    if (!r) {
      if (piece.size() == 1) other.reset();
      throw MemoryRefused(r.error());
    }
    return test::plus_1000(piece);
  };
  const auto [out, report] = test::within(
      [&] { return run_with_memory_retry(test::iota(64), fn, waiting(std::chrono::seconds(60), 1)); });
  EXPECT_EQ(out, test::plus_1000(test::iota(64)));
  EXPECT_EQ(report.waits, 1u);
  EXPECT_EQ(report.splits, 6u);
  EXPECT_THAT(report.sizes_tried, ElementsAre(64u, 32u, 16u, 8u, 4u, 2u, 1u));
  EXPECT_EQ(report.pieces, 64u);
}

TEST_F(MemoryRetryWait, GivesUpAtTheDeadlineWithoutARelease) {
  const Reservation other = memory_.reserve_or_throw("enc", 95);
  const auto begin = SteadyClock::now();
  try {
    (void)run_with_memory_retry(test::iota(8), test::plus_1000,
                                waiting(std::chrono::milliseconds(20), 10));
    FAIL() << "no error";
  } catch (const BatchMemoryError& e) {
    EXPECT_GE(SteadyClock::now() - begin, std::chrono::milliseconds(20));
    EXPECT_EQ(e.report().waits, 0u);
    EXPECT_THAT(e.what(), HasSubstr("waits for memory: 0; last failure: component 'enc'"));
  }
}

TEST_F(MemoryRetryWait, NeverWaitsForWhatCouldNeverFit) {
  const auto begin = SteadyClock::now();
  // 1 item needs 200 bytes, over the budget of 100: no release can help.
  EXPECT_THROW((void)run_with_memory_retry(test::iota(4), test::plus_1000,
                                           waiting(std::chrono::seconds(60), 200)),
               BatchMemoryError);
  // bad_alloc is not a refusal: nothing to wait for either.
  EXPECT_THROW((void)run_with_memory_retry(
                   test::iota(4), [](const Vec&) -> Vec { throw std::bad_alloc(); },
                   waiting(std::chrono::seconds(60), 1)),
               BatchMemoryError);
  EXPECT_LT(SteadyClock::now() - begin, std::chrono::seconds(30));
}

TEST_F(MemoryRetryWait, BadWaitOptionsAreErrors) {
  EXPECT_THAT(error_of([&] {
                (void)run_with_memory_retry(test::iota(2), test::plus_1000,
                                            {.wait_at_minimum = std::chrono::milliseconds(5)});
              }),
              HasSubstr("wait_at_minimum needs a memory manager"));
  EXPECT_THAT(error_of([&] {
                (void)run_with_memory_retry(test::iota(2), test::plus_1000,
                                            waiting(std::chrono::milliseconds(-1), 1));
              }),
              HasSubstr("wait_at_minimum is negative (-1 ms)"));
}

}  // namespace
}  // namespace neat
