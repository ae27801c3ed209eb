// MemoryBudgetManager under many threads: reservations, releases, samples that drive the level up
// and down, and listeners, on 1, 2, 4 and 8 executor workers. No reservation may ever pass its
// component's budget, and the reservations may never sum past the total.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <deque>
#include <random>

#include "core/test_support.hpp"
#include "neat/core/executor.hpp"
#include "neat/core/graph.hpp"
#include "neat/resources/memory_budget.hpp"
#include "resources/memory_test_support.hpp"

namespace neat {
namespace {

constexpr std::uint64_t k_total = 1u << 20;
constexpr std::size_t k_components = 4;
constexpr std::size_t k_operations = 32;
constexpr std::size_t k_iterations = 400;
const std::array<const char*, k_components> k_names = {"low", "mid", "high", "top"};

struct Accounting {
  std::array<std::uint64_t, k_components> budgets{};
  // What the test holds. It grows after the manager grants and shrinks before it releases, so
  // it never exceeds what the manager has reserved: a violation here is one there.
  std::array<std::atomic<std::uint64_t>, k_components> held{};
  std::atomic<std::uint64_t> held_total{0};
  std::atomic<std::size_t> violations{0};
  std::atomic<std::size_t> grants{0};
  std::atomic<std::size_t> refusals{0};
};

struct Held {
  std::size_t component;
  Reservation reservation;
};

void reserve_one(MemoryBudgetManager& manager, Accounting& acc, std::size_t c, std::uint64_t bytes,
                 std::deque<Held>& mine) {
  ReservationResult r = manager.try_reserve(k_names[c], bytes);
  if (!r) {
    acc.refusals.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  acc.grants.fetch_add(1, std::memory_order_relaxed);
  const std::uint64_t now_held = acc.held[c].fetch_add(bytes) + bytes;
  const std::uint64_t now_total = acc.held_total.fetch_add(bytes) + bytes;
  if (now_held > acc.budgets[c] || now_total > k_total) acc.violations.fetch_add(1);
  mine.push_back({c, std::move(r).value()});
}

void release_oldest(Accounting& acc, std::deque<Held>& mine) {
  Held& oldest = mine.front();
  acc.held[oldest.component].fetch_sub(oldest.reservation.bytes());
  acc.held_total.fetch_sub(oldest.reservation.bytes());
  oldest.reservation.release();
  mine.pop_front();
}

void check_snapshot(const MemoryBudgetManager& manager, Accounting& acc) {
  const MemorySnapshot s = manager.snapshot();
  std::uint64_t sum = 0;
  for (const ComponentMemory& c : s.components) {
    sum += c.reserved_bytes;
    if (c.reserved_bytes > c.budget_bytes) acc.violations.fetch_add(1);
  }
  if (sum != s.reserved_bytes || sum > s.total_bytes) acc.violations.fetch_add(1);
}

class MemoryConcurrency : public ::testing::TestWithParam<std::size_t> {};

TEST_P(MemoryConcurrency, NoReservationEverPassesItsBudget) {
  test::FakeMemory memory;
  MemoryBudgetManager manager(test::fake_options(memory, k_total));
  for (std::size_t c = 0; c < k_components; ++c) {
    manager.register_component({.name = k_names[c], .importance = static_cast<double>(c + 1)});
  }
  Accounting acc;
  for (std::size_t c = 0; c < k_components; ++c) acc.budgets[c] = manager.budget_bytes(k_names[c]);
  std::atomic<std::size_t> released_events{0};
  std::atomic<std::size_t> changes{0};
  const ListenerId on_release = manager.on_release(
      [&](const MemoryReleased&) { released_events.fetch_add(1, std::memory_order_relaxed); });
  const ListenerId on_change = manager.on_pressure_change(
      [&](const PressureChange&) { changes.fetch_add(1, std::memory_order_relaxed); });

  ParallelExecutor executor({.workers = GetParam()});
  OperationDependencyGraph graph;
  for (std::size_t op = 0; op < k_operations; ++op) {
    graph.emplace([&, op] {
      std::minstd_rand random(static_cast<std::uint32_t>(op + 1));
      std::deque<Held> mine;
      for (std::size_t i = 0; i < k_iterations; ++i) {
        const std::size_t c = (op + i) % k_components;
        reserve_one(manager, acc, c, 1 + random() % (acc.budgets[c] / 3), mine);
        if (mine.size() > 3) release_oldest(acc, mine);
        if (op % 8 == 0 && i % 16 == 0) {  // some operations move the real usage around
          constexpr std::array<std::uint64_t, 4> k_rss = {0, 800, 900, 970};
          memory.set_rss(k_rss[(i / 16) % k_rss.size()] * k_total / 1000);
          manager.refresh();
        }
        if (i % 50 == 0) check_snapshot(manager, acc);
      }
      while (!mine.empty()) release_oldest(acc, mine);
    });
  }
  test::finish_within(executor.run(graph));

  EXPECT_EQ(acc.violations.load(), 0u);
  EXPECT_GT(acc.grants.load(), 0u);
  EXPECT_GT(acc.refusals.load(), 0u);
  EXPECT_GT(changes.load(), 0u);
  EXPECT_EQ(released_events.load(), acc.grants.load());  // every release reported, once
  EXPECT_EQ(manager.reserved_bytes(), 0u);
  memory.set_rss(0);
  manager.refresh();
  EXPECT_EQ(manager.level(), PressureLevel::normal);
  for (const char* name : k_names) EXPECT_TRUE(manager.is_active(name)) << name;
  EXPECT_TRUE(manager.unsubscribe(on_release));
  EXPECT_TRUE(manager.unsubscribe(on_change));
}

INSTANTIATE_TEST_SUITE_P(Workers, MemoryConcurrency, test::k_worker_counts, test::worker_name);

}  // namespace
}  // namespace neat
