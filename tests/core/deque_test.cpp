// WorkStealingDeque: LIFO for the owner, FIFO for thieves, growth, and every item taken
// exactly once under concurrent stealing.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/test_support.hpp"
#include "neat/detail/work_stealing_deque.hpp"

namespace neat::detail {
namespace {

TEST(WorkStealingDeque, OwnerPopsNewestThiefStealsOldest) {
  WorkStealingDeque deque(2);
  EXPECT_TRUE(deque.empty());
  EXPECT_EQ(deque.pop(), 0u);
  EXPECT_EQ(deque.steal(), 0u);
  for (std::uintptr_t i = 1; i <= 100; ++i) deque.push(i);  // grows past 2
  EXPECT_EQ(deque.size_hint(), 100);
  EXPECT_EQ(deque.steal(), 1u);
  EXPECT_EQ(deque.pop(), 100u);
  EXPECT_EQ(deque.steal(), 2u);
  for (std::uintptr_t i = 99; i >= 3; --i) ASSERT_EQ(deque.pop(), i);
  EXPECT_TRUE(deque.empty());
  EXPECT_EQ(deque.size_hint(), 0);
}

class DequeStress : public ::testing::TestWithParam<std::size_t> {};

TEST_P(DequeStress, EveryItemIsTakenExactlyOnce) {
  const std::size_t thieves = GetParam();
  constexpr std::uintptr_t k_items = 200000;
  WorkStealingDeque deque(4);
  std::vector<std::atomic<int>> taken(k_items + 1);
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < thieves; ++t) {
    threads.emplace_back([&] {
      while (!done.load(std::memory_order_acquire) || !deque.empty()) {
        if (std::uintptr_t item = deque.steal()) taken[item].fetch_add(1);
      }
    });
  }
  for (std::uintptr_t i = 1; i <= k_items; ++i) {
    deque.push(i);
    if (i % 3 == 0) {
      if (std::uintptr_t item = deque.pop()) taken[item].fetch_add(1);
    }
  }
  while (std::uintptr_t item = deque.pop()) taken[item].fetch_add(1);
  done.store(true, std::memory_order_release);
  for (std::thread& t : threads) t.join();
  for (std::uintptr_t i = 1; i <= k_items; ++i) ASSERT_EQ(taken[i].load(), 1) << "item " << i;
}

INSTANTIATE_TEST_SUITE_P(Thieves, DequeStress, neat::test::k_worker_counts,
                         neat::test::worker_name);

}  // namespace
}  // namespace neat::detail
