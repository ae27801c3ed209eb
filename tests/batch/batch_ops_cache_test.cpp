// BatchResultCache and cached_run [batch.cache]: only the misses are computed, results come back
// in batch order, duplicates are computed once, the least recently used entry goes first, the
// counts add up under concurrent use, and bad use is an error that caches nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "batch/batch_ops_test_support.hpp"
#include "core/test_support.hpp"
#include "neat/batch/batch_ops_cache.hpp"
#include "neat/batch/tensor.hpp"

namespace neat {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test::error_of;
using Vec = std::vector<int>;  // a batch of ints

Vec squared(const Vec& v) {
  Vec out;
  for (const int x : v) out.push_back(x * x);
  return out;
}

std::uint64_t key_of(int item) { return BatchTraits<Vec>::hash(Vec{item}, 0); }

// A batch function that squares and remembers each batch it was given.
struct RecordingSquare {
  std::vector<Vec> calls;
  Vec operator()(const Vec& v) {
    calls.push_back(v);
    return squared(v);
  }
};

TEST(BatchCache, ComputesOnlyTheMissesAndKeepsOrder) {
  BatchResultCache<Vec> cache(100);
  RecordingSquare fn;
  EXPECT_THAT(cached_run(cache, Vec{1, 2, 3}, fn), ElementsAre(1, 4, 9));
  EXPECT_THAT(cached_run(cache, Vec{4, 2, 5, 3}, fn), ElementsAre(16, 4, 25, 9));
  EXPECT_THAT(cached_run(cache, Vec{3, 1}, fn), ElementsAre(9, 1));
  EXPECT_THAT(fn.calls, ElementsAre(Vec{1, 2, 3}, Vec{4, 5}));
  const BatchCacheStats s = cache.stats();
  EXPECT_EQ(s.hits, 4u);
  EXPECT_EQ(s.misses, 5u);
  EXPECT_EQ(s.size, 5u);
  EXPECT_EQ(s.capacity, 100u);
  EXPECT_EQ(s.evictions, 0u);
}

TEST(BatchCache, DuplicatesInABatchAreComputedOnce) {
  BatchResultCache<Vec> cache(100);
  RecordingSquare fn;
  EXPECT_THAT(cached_run(cache, Vec{5, 5, 6, 5}, fn), ElementsAre(25, 25, 36, 25));
  EXPECT_THAT(fn.calls, ElementsAre(Vec{5, 6}));
  EXPECT_TRUE(cached_run(cache, Vec{}, fn).empty());
  EXPECT_EQ(fn.calls.size(), 2u);  // an empty batch goes to fn as it is
}

TEST(BatchCache, EvictsTheLeastRecentlyUsed) {
  BatchResultCache<Vec> cache(2);
  cache.insert(key_of(1), Vec{1});
  cache.insert(key_of(2), Vec{4});
  ASSERT_TRUE(cache.find(key_of(1)).has_value());  // 2 is now the least recent
  cache.insert(key_of(3), Vec{9});
  EXPECT_FALSE(cache.find(key_of(2)).has_value());
  EXPECT_THAT(*cache.find(key_of(1)), ElementsAre(1));
  EXPECT_THAT(*cache.find(key_of(3)), ElementsAre(9));
  cache.insert(key_of(3), Vec{10});  // replaces, evicts nothing
  EXPECT_THAT(*cache.find(key_of(3)), ElementsAre(10));
  EXPECT_EQ(cache.stats().evictions, 1u);
  EXPECT_EQ(cache.stats().size, 2u);
  cache.clear();
  EXPECT_EQ(cache.stats().size, 0u);
  EXPECT_FALSE(cache.find(key_of(1)).has_value());
}

TEST(BatchCache, CachesTensorRows) {
  BatchResultCache<Tensor<float>> cache(10);
  int calls = 0;
  const auto fn = [&](const Tensor<float>& x) {
    ++calls;
    Tensor<float> y = x;
    for (float& v : y.data()) v *= 2;
    return y;
  };
  const Tensor<float> a({2, 2}, {1, 2, 3, 4});
  const Tensor<float> b({3, 2}, {3, 4, 5, 6, 1, 2});
  EXPECT_EQ(cached_run(cache, a, fn), Tensor<float>({2, 2}, {2, 4, 6, 8}));
  EXPECT_EQ(cached_run(cache, b, fn), Tensor<float>({3, 2}, {6, 8, 10, 12, 2, 4}));
  EXPECT_EQ(cached_run(cache, a, fn), Tensor<float>({2, 2}, {2, 4, 6, 8}));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(cache.stats().hits, 4u);
}

TEST(BatchCache, MisuseIsAnErrorAndCachesNothing) {
  EXPECT_THAT(error_of([] { BatchResultCache<Vec> c(0); }), HasSubstr("capacity 0"));
  BatchResultCache<Vec> cache(10);
  EXPECT_THAT(error_of([&] { cache.insert(1, Vec{1, 2}); }),
              HasSubstr("an entry is the result of one item; this one has 2 items"));
  EXPECT_THAT(error_of([&] { (void)cached_run(cache, Vec{1, 2}, [](const Vec&) { return Vec{1}; }); }),
              HasSubstr("returned 1 items for a batch of 2 items"));
  (void)cached_run(cache, Vec{7}, squared);
  EXPECT_THAT(error_of([&] { (void)cached_run(cache, Vec{7, 8, 9}, [](const Vec&) { return Vec{}; }); }),
              HasSubstr("returned 0 items for a batch of 2 items"));
  EXPECT_EQ(cache.stats().size, 1u);
}

TEST(BatchCache, ConcurrentRunsGiveRightResultsAndConsistentCounts) {
  BatchResultCache<Vec> cache(32);  // smaller than the key space: evictions happen too
  constexpr int k_threads = 4;
  constexpr int k_runs = 300;
  std::atomic<int> wrong{0};
  std::atomic<std::uint64_t> lookups{0};
  test::within([&] {
    std::vector<std::thread> threads;
    for (int t = 0; t < k_threads; ++t) {
      threads.emplace_back([&, t] {
        std::mt19937 rng(static_cast<unsigned>(t));
        for (int r = 0; r < k_runs; ++r) {
          Vec batch(1 + rng() % 8);
          for (int& x : batch) x = static_cast<int>(rng() % 64);
          if (cached_run(cache, batch, squared) != squared(batch)) wrong.fetch_add(1);
          lookups.fetch_add(batch.size());
        }
      });
    }
    for (std::thread& th : threads) th.join();
    return 0;
  });
  EXPECT_EQ(wrong.load(), 0);
  const BatchCacheStats s = cache.stats();
  EXPECT_EQ(s.hits + s.misses, lookups.load());
  EXPECT_GT(s.hits, 0u);
  EXPECT_GT(s.evictions, 0u);
  EXPECT_LE(s.size, 32u);
}

}  // namespace
}  // namespace neat
