// split_run [batch.split] and buckets [batch.buckets]: pieces run as scheduler operations with
// the options' priority, component and memory; results merge in batch order over every worker
// count; padding is stripped; what cannot split runs whole; bad options are errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <thread>
#include <vector>

#include "batch/batch_ops_test_support.hpp"
#include "core/test_support.hpp"
#include "neat/batch/batch_ops.hpp"
#include "neat/batch/tensor.hpp"
#include "neat/resources/memory_budget.hpp"
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

class SplitRunTest : public test::SchedulerOnWorkers {};

INSTANTIATE_TEST_SUITE_P(Workers, SplitRunTest, test::k_worker_counts, test::worker_name);

TEST_P(SplitRunTest, MergesInBatchOrderWhateverOrderPiecesFinish) {
  const Vec input = iota(1000);
  std::atomic<int> calls{0};
  const Vec out = within([&] {
    return split_run(scheduler_, input, [&](const Vec& piece) {
      calls.fetch_add(1);
      EXPECT_LE(piece.size(), 7u);
      // Early pieces take longest, so pieces finish out of batch order.
      std::this_thread::sleep_for(std::chrono::microseconds(1000 - piece.front()));
      return plus_1000(piece);
    }, {.micro_batch = 7});
  });
  EXPECT_EQ(out, plus_1000(input));
  EXPECT_EQ(calls.load(), 143);  // ceil(1000 / 7)
}

TEST_P(SplitRunTest, SplitsTensorsByRows) {
  Tensor<float> x({50, 3});
  for (std::size_t i = 0; i < x.data().size(); ++i) x.data()[i] = static_cast<float>(i);
  const Tensor<float> out = within([&] {
    return split_run(scheduler_, x, [](const Tensor<float>& piece) {
      Tensor<float> y = piece;
      for (float& v : y.data()) v = -v;
      return y;
    }, {.micro_batch = 8});
  });
  ASSERT_EQ(out.shape(), x.shape());
  for (std::size_t i = 0; i < x.data().size(); ++i) EXPECT_EQ(out.data()[i], -x.data()[i]);
}

TEST_P(SplitRunTest, PiecesCarryPriorityComponentAndMemory) {
  test::FakeMemory readings;
  MemoryBudgetManager memory(test::fake_options(readings, 1000));
  memory.register_component({.name = "enc", .memory_budget_bytes = 200});
  ExecutionScheduler scheduler(executor_, SchedulerOptions{.memory = &memory});
  std::atomic<std::uint64_t> most{0};
  const Vec out = within([&] {
    return split_run(scheduler, iota(40), [&](const Vec& piece) {
      const std::uint64_t held = memory.reserved_bytes("enc");
      EXPECT_GE(held, 10 * piece.size());
      std::uint64_t seen = most.load();
      while (held > seen && !most.compare_exchange_weak(seen, held)) {
      }
      return piece;
    }, {.micro_batch = 8, .priority = ExecutionPriority::high, .component = "enc",
        .memory_bytes_per_item = 10, .name = "embed"});
  });
  EXPECT_EQ(out, iota(40));
  EXPECT_LE(most.load(), 200u);  // at most 2 pieces of 80 bytes at once
  EXPECT_EQ(memory.reserved_bytes("enc"), 0u);
  std::vector<std::string> names;
  for (const auto& op : started_.get()) {
    if (op.component != "enc") continue;
    names.push_back(op.name);
    EXPECT_EQ(op.priority, ExecutionPriority::high);
  }
  std::sort(names.begin(), names.end());
  EXPECT_THAT(names, ElementsAre("embed[0:8]", "embed[16:24]", "embed[24:32]", "embed[32:40]",
                                 "embed[8:16]"));
}

TEST_P(SplitRunTest, WholeWhenNotSplittableSmallOrUnmergeable) {
  std::atomic<int> calls{0};
  const auto count = [&](const Vec& piece) {
    calls.fetch_add(1);
    return piece;
  };
  EXPECT_EQ(within([&] { return split_run(scheduler_, iota(100), count, {.splittable = false}); }),
            iota(100));
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(within([&] { return split_run(scheduler_, iota(8), count, {.micro_batch = 8}); }),
            iota(8));
  EXPECT_EQ(calls.load(), 2);
  // A sum has no BatchTraits: nothing to merge, so the batch runs whole.
  const long sum = within([&] {
    return split_run(scheduler_, iota(100), [&](const Vec& piece) {
      calls.fetch_add(1);
      return std::accumulate(piece.begin(), piece.end(), 0L);
    }, {.micro_batch = 10});
  });
  EXPECT_EQ(sum, 4950);
  EXPECT_EQ(calls.load(), 3);
  std::atomic<std::size_t> seen{0};
  within([&] {
    split_run(scheduler_, iota(30), [&](const Vec& piece) { seen.store(piece.size()); },
              {.micro_batch = 10});
    return 0;
  });
  EXPECT_EQ(seen.load(), 30u);
}

TEST_P(SplitRunTest, PiecesArePaddedToBucketsAndTheResultsStripped) {
  std::vector<std::size_t> sizes_seen(3, 0);  // one slot per piece: no two threads share one
  const Vec out = within([&] {
    return split_run(scheduler_, iota(18), [&](const Vec& piece) {
      sizes_seen[static_cast<std::size_t>(piece.front() / 8)] = piece.size();
      if (piece.front() == 16) {
        EXPECT_THAT(piece, ElementsAre(16, 17, 17, 17));
      }
      return plus_1000(piece);
    }, {.micro_batch = 8, .buckets = {4, 8}});
  });
  EXPECT_EQ(out, plus_1000(iota(18)));
  EXPECT_THAT(sizes_seen, ElementsAre(8u, 8u, 4u));
  const Vec whole = within([&] {
    return split_run(scheduler_, iota(3), [](const Vec& piece) {
      EXPECT_EQ(piece.size(), 4u);
      return piece;
    }, {.splittable = false, .buckets = {4, 8}});
  });
  EXPECT_EQ(whole, iota(3));
}

TEST_P(SplitRunTest, AFailingPieceFailsTheRunAfterEveryPieceEnded) {
  std::atomic<int> running{0};
  try {
    within([&] {
      return split_run(scheduler_, iota(200), [&](const Vec& piece) {
        running.fetch_add(1);
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        running.fetch_sub(1);
        if (piece.front() == 48) throw std::runtime_error("bad piece");
        return piece;
      }, {.micro_batch = 8, .name = "enc"});
    });
    FAIL() << "no error";
  } catch (const OperationFailed& e) {
    EXPECT_EQ(e.operation(), "enc[48:56]");
    EXPECT_THAT(e.what(), HasSubstr("bad piece"));
  }
  EXPECT_EQ(running.load(), 0);
}

TEST_P(SplitRunTest, BadOptionsAreErrorsAndRunNothing) {
  std::atomic<int> calls{0};
  const auto fn = [&](const Vec& piece) {
    calls.fetch_add(1);
    return piece;
  };
  const Vec v = iota(10);
  EXPECT_THAT(error_of([&] { (void)split_run(scheduler_, v, fn, {}); }),
              HasSubstr("split_run('batch'): micro_batch is 0"));
  EXPECT_THAT(error_of([&] { (void)split_run(scheduler_, v, fn, {.micro_batch = 4, .buckets = {8, 4}}); }),
              HasSubstr("buckets [8, 4] are not strictly ascending"));
  EXPECT_THAT(error_of([&] {
                (void)split_run(scheduler_, v, [](const Vec&) { return 1; },
                                {.micro_batch = 4, .buckets = {4}});
              }),
              HasSubstr("buckets need a result with BatchTraits"));
  EXPECT_THAT(error_of([&] {
                (void)split_run(scheduler_, v, fn,
                                {.micro_batch = 4, .memory_bytes_per_item =
                                                       std::numeric_limits<std::uint64_t>::max()});
              }),
              HasSubstr("4 items x 18446744073709551615 bytes per item overflows"));
  EXPECT_EQ(calls.load(), 0);
}

TEST(Buckets, PadToTheSmallestBucketThatHolds) {
  const PaddedBatch<Vec> p = pad_to_bucket(iota(5), {2, 8, 16});
  EXPECT_THAT(p.batch, ElementsAre(0, 1, 2, 3, 4, 4, 4, 4));
  EXPECT_EQ(p.original_size, 5u);
  EXPECT_EQ(pad_to_bucket(iota(8), {2, 8}).batch, iota(8));
  EXPECT_EQ(pad_to_bucket(iota(20), {2, 8}).batch, iota(20));  // larger than every bucket
  EXPECT_TRUE(pad_to_bucket(Vec{}, {2, 8}).batch.empty());
  EXPECT_THAT(strip_padding(Vec{1, 2, 3, 3}, 3), ElementsAre(1, 2, 3));
  EXPECT_EQ(strip_padding(Vec{1, 2}, 2), (Vec{1, 2}));
  int seen = 0;
  const Vec out = run_bucketed(iota(3), {4}, [&](const Vec& b) {
    seen = static_cast<int>(b.size());
    return plus_1000(b);
  });
  EXPECT_EQ(seen, 4);
  EXPECT_THAT(out, ElementsAre(1000, 1001, 1002));
}

TEST(Buckets, BadBucketsAndShortResultsAreErrors) {
  EXPECT_THAT(error_of([] { (void)pad_to_bucket(iota(3), {}); }),
              HasSubstr("pad_to_bucket: no buckets"));
  EXPECT_THAT(error_of([] { (void)pad_to_bucket(iota(3), {4, 0}); }),
              HasSubstr("bucket 1 of [4, 0] is 0"));
  EXPECT_THAT(error_of([] { (void)pad_to_bucket(iota(3), {4, 4}); }),
              HasSubstr("not strictly ascending (4 after 4 at index 1)"));
  EXPECT_THAT(error_of([] { (void)strip_padding(Vec{1}, 2); }),
              HasSubstr("the result has 1 items, fewer than the 2 real items"));
  EXPECT_THAT(error_of([] { (void)run_bucketed(iota(3), {4}, [](const Vec&) { return Vec{1}; }); }),
              HasSubstr("fewer than the 3 real items"));
}

}  // namespace
}  // namespace neat
