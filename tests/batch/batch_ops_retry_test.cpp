// run_with_memory_retry [batch.retry]: halving on std::bad_alloc and MemoryRefused, at most
// ceil(log2 N) splits, the sizes tried in the error, results in order, reservations per attempt,
// the scheduler form over every worker count, and errors for bad options.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <algorithm>
#include <bit>
#include <limits>
#include <mutex>
#include <new>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "batch/batch_ops_test_support.hpp"
#include "core/test_support.hpp"
#include "neat/batch/batch_ops_retry.hpp"
#include "neat/batch/tensor.hpp"
#include "resources/memory_test_support.hpp"

namespace neat {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test::error_of;
using test::within;
using test::iota;
using test::plus_1000;
using Vec = std::vector<int>;

// A batch function that runs out of memory above `limit` items.
auto fits_up_to(std::size_t limit) {
  return [limit](const Vec& piece) {
    if (piece.size() > limit) throw std::bad_alloc();
    return plus_1000(piece);
  };
}

TEST(MemoryRetry, HalvesUntilThePiecesFitAndMergesInOrder) {
  const auto [out, report] = run_with_memory_retry(iota(64), fits_up_to(8));
  EXPECT_EQ(out, plus_1000(iota(64)));
  EXPECT_THAT(report.sizes_tried, ElementsAre(64u, 32u, 16u, 8u));
  EXPECT_EQ(report.splits, 3u);
  EXPECT_EQ(report.pieces, 8u);
  EXPECT_EQ(report.attempts, 11u);  // 3 failures, then 8 pieces of 8
  EXPECT_EQ(report.split_limit, 6u);
  EXPECT_EQ(report.items, 64u);
}

TEST(MemoryRetry, AWholeBatchThatFitsRunsOnce) {
  const auto [out, report] = run_with_memory_retry(iota(10), fits_up_to(10));
  EXPECT_EQ(out, plus_1000(iota(10)));
  EXPECT_EQ(report.attempts, 1u);
  EXPECT_EQ(report.splits, 0u);
  const auto empty = run_with_memory_retry(Vec{}, fits_up_to(10));
  EXPECT_TRUE(empty.result.empty());
  EXPECT_EQ(empty.report.attempts, 1u);
}

class MemoryRetryDepth : public ::testing::TestWithParam<int> {};
INSTANTIATE_TEST_SUITE_P(Sizes, MemoryRetryDepth, ::testing::Values(1, 2, 3, 5, 7, 64, 100, 1000));

TEST_P(MemoryRetryDepth, GivesUpAfterCeilLog2NSplitsWithTheSizesTried) {
  const int n = GetParam();
  const auto ceil_log2 = static_cast<std::size_t>(std::bit_width(static_cast<unsigned>(n - 1)));
  std::size_t calls = 0;
  try {
    (void)run_with_memory_retry(iota(n), [&](const Vec&) -> Vec {
      ++calls;
      throw std::bad_alloc();
    });
    FAIL() << "no error";
  } catch (const BatchMemoryError& e) {
    EXPECT_EQ(e.report().splits, ceil_log2);
    EXPECT_EQ(e.report().split_limit, ceil_log2);
    EXPECT_EQ(e.report().sizes_tried.size(), ceil_log2 + 1);
    EXPECT_EQ(e.report().sizes_tried.back(), 1u);
    EXPECT_EQ(calls, ceil_log2 + 1);
    EXPECT_THAT(e.what(), HasSubstr("last failure: std::bad_alloc"));
    EXPECT_NE(e.last_failure(), nullptr);
  }
}

TEST(MemoryRetry, TheErrorListsTheSizesAndNumbers) {
  try {
    (void)run_with_memory_retry(iota(100), fits_up_to(0), {.name = "tokens"});
    FAIL() << "no error";
  } catch (const BatchMemoryError& e) {
    EXPECT_THAT(e.what(), HasSubstr("run_with_memory_retry('tokens'): a batch of 100 items: a "
                                    "piece of 1 item(s) still ran out of memory after 7 "
                                    "split(s), the most allowed (7); sizes tried: 100, 50, 25, "
                                    "13, 7, 4, 2, 1; pieces done: 0"));
  }
}

TEST(MemoryRetry, StopsAtTheMinimumPiece) {
  try {
    (void)run_with_memory_retry(iota(64), fits_up_to(2), {.min_piece = 5});
    FAIL() << "no error";
  } catch (const BatchMemoryError& e) {
    EXPECT_THAT(e.report().sizes_tried, ElementsAre(64u, 32u, 16u, 8u, 5u));
    EXPECT_EQ(e.report().splits, 4u);
    EXPECT_EQ(e.report().split_limit, 4u);
  }
}

TEST(MemoryRetry, ASizeThatFailedIsNotTriedAgainLaterInTheBatch) {
  // Items below 32 need twice the memory: pieces of 8 fit there, 16 elsewhere.
  std::vector<std::size_t> sizes;
  const auto [out, report] = run_with_memory_retry(iota(64), [&](const Vec& piece) {
    sizes.push_back(piece.size());
    if (piece.size() > (piece.front() < 32 ? 8u : 16u)) throw std::bad_alloc();
    return plus_1000(piece);
  });
  EXPECT_EQ(out, plus_1000(iota(64)));
  EXPECT_THAT(sizes, ElementsAre(64u, 32u, 16u, 8u, 8u, 8u, 8u, 8u, 8u, 8u, 8u));
  EXPECT_LE(report.splits, report.split_limit);
}

TEST(MemoryRetry, MemoryRefusedCountsAsAMemoryFailure) {
  test::FakeMemory readings;
  MemoryBudgetManager memory(test::fake_options(readings, 1000));
  memory.register_component({.name = "enc", .memory_budget_bytes = 100});
  const auto [out, report] = run_with_memory_retry(iota(20), [&](const Vec& piece) {
    const Reservation held = memory.reserve_or_throw("enc", 30 * piece.size());
    return plus_1000(piece);
  });
  EXPECT_EQ(out, plus_1000(iota(20)));
  EXPECT_THAT(report.sizes_tried, ElementsAre(20u, 10u, 5u, 3u, 2u));
}

TEST(MemoryRetry, ReservesPerAttemptFromTheBudgetAndReleases) {
  test::FakeMemory readings;
  MemoryBudgetManager memory(test::fake_options(readings, 1000));
  memory.register_component({.name = "enc", .memory_budget_bytes = 100});
  std::uint64_t most = 0;
  const auto [out, report] = run_with_memory_retry(iota(64), [&](const Vec& piece) {
    most = std::max(most, memory.reserved_bytes("enc"));
    EXPECT_EQ(memory.reserved_bytes("enc"), 10 * piece.size());
    return plus_1000(piece);
  }, {.memory = &memory, .component = "enc", .memory_bytes_per_item = 10});
  EXPECT_EQ(out, plus_1000(iota(64)));
  EXPECT_THAT(report.sizes_tried, ElementsAre(64u, 32u, 16u, 8u));
  EXPECT_EQ(most, 80u);
  EXPECT_EQ(memory.reserved_bytes("enc"), 0u);
}

TEST(MemoryRetry, OtherErrorsPropagateAtOnceUnchanged) {
  int calls = 0;
  EXPECT_THROW((void)run_with_memory_retry(iota(64), [&](const Vec&) -> Vec {
    ++calls;
    throw std::logic_error("not memory");
  }), std::logic_error);
  EXPECT_EQ(calls, 1);
}

TEST(MemoryRetry, BadOptionsAreErrorsAndRunNothing) {
  test::FakeMemory readings;
  MemoryBudgetManager memory(test::fake_options(readings, 1000));
  memory.register_component({.name = "enc", .memory_budget_bytes = 100});
  int calls = 0;
  const auto fn = [&](const Vec& v) {
    ++calls;
    return v;
  };
  const Vec v = iota(4);
  EXPECT_THAT(error_of([&] { (void)run_with_memory_retry(v, fn, {.min_piece = 0}); }),
              HasSubstr("run_with_memory_retry('batch'): min_piece is 0"));
  EXPECT_THAT(error_of([&] { (void)run_with_memory_retry(v, fn, {.memory_bytes_per_item = 8}); }),
              HasSubstr("memory_bytes_per_item is 8 but no memory manager"));
  EXPECT_THAT(error_of([&] {
                (void)run_with_memory_retry(v, fn, {.memory = &memory, .memory_bytes_per_item = 8});
              }),
              HasSubstr("no component whose budget pays"));
  EXPECT_THAT(error_of([&] { (void)run_with_memory_retry(v, fn, {.memory = &memory, .component = "enc"}); }),
              HasSubstr("memory_bytes_per_item is 0 (component 'enc')"));
  EXPECT_THAT(error_of([&] {
                (void)run_with_memory_retry(
                    v, fn, {.memory = &memory, .component = "nope", .memory_bytes_per_item = 8});
              }),
              HasSubstr("unknown component 'nope'"));
  EXPECT_THAT(error_of([&] {
                (void)run_with_memory_retry(
                    v, fn, {.memory = &memory, .component = "enc",
                            .memory_bytes_per_item = std::numeric_limits<std::uint64_t>::max()});
              }),
              HasSubstr("overflows 64 bits"));
  EXPECT_EQ(calls, 0);
}

class MemoryRetryScheduled : public test::SchedulerOnWorkers {};

INSTANTIATE_TEST_SUITE_P(Workers, MemoryRetryScheduled, test::k_worker_counts, test::worker_name);

TEST_P(MemoryRetryScheduled, EachAttemptIsAnOperation) {
  const auto [out, report] = within([&] {
    return run_with_memory_retry(scheduler_, iota(32), fits_up_to(16),
                                 {.priority = ExecutionPriority::low, .name = "enc"});
  });
  EXPECT_EQ(out, plus_1000(iota(32)));
  EXPECT_EQ(report.splits, 1u);
  std::vector<std::string> names;
  for (const auto& op : started_.get()) {
    names.push_back(op.name);
    EXPECT_EQ(op.priority, ExecutionPriority::low);
  }
  EXPECT_THAT(names, ElementsAre("enc[0:32]", "enc[0:16]", "enc[16:32]"));
}

TEST_P(MemoryRetryScheduled, AMemoryFailureInsideNestedOperationsIsUnwrapped) {
  // The batch function itself splits its input over the scheduler; a piece's bad_alloc comes
  // back as OperationFailed and still counts as running out of memory.
  const auto fn = [&](const Vec& piece) {
    return split_run(scheduler_, piece, fits_up_to(4), {.micro_batch = 16});
  };
  const auto [out, report] = within([&] {
    return run_with_memory_retry(scheduler_, iota(64), fn, {.name = "outer"});
  });
  EXPECT_EQ(out, plus_1000(iota(64)));
  EXPECT_THAT(report.sizes_tried, ElementsAre(64u, 32u, 16u, 8u, 4u));
}

TEST_P(MemoryRetryScheduled, OtherFailuresComeBackAsOperationFailed) {
  try {
    within([&] {
      return run_with_memory_retry(scheduler_, iota(8), [](const Vec&) -> Vec {
        throw std::runtime_error("broken");
      }, {.name = "enc"});
    });
    FAIL() << "no error";
  } catch (const OperationFailed& e) {
    EXPECT_EQ(e.operation(), "enc[0:8]");
    EXPECT_THAT(e.what(), HasSubstr("broken"));
  }
}

TEST_P(MemoryRetryScheduled, ReservationsAreHeldWhileThePieceRuns) {
  test::FakeMemory readings;
  MemoryBudgetManager memory(test::fake_options(readings, 10'000));
  memory.register_component({.name = "enc", .memory_budget_bytes = 1000});
  const Tensor<float> x({100, 2});
  const auto [out, report] = within([&] {
    return run_with_memory_retry(scheduler_, x, [&](const Tensor<float>& piece) {
      EXPECT_EQ(memory.reserved_bytes("enc"), 40 * piece.rows());
      return piece;
    }, {.memory = &memory, .component = "enc", .memory_bytes_per_item = 40});
  });
  EXPECT_EQ(out, x);
  EXPECT_THAT(report.sizes_tried, ElementsAre(100u, 50u, 25u));
  EXPECT_EQ(memory.reserved_bytes("enc"), 0u);
}

}  // namespace
}  // namespace neat
