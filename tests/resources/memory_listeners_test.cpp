// MemoryBudgetManager listeners: release and pressure events, re-entrancy, unsubscribing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "neat/resources/memory_budget.hpp"
#include "resources/memory_test_support.hpp"

namespace neat {
namespace {

using test::fake_options;
using test::FakeMemory;
using ::testing::ElementsAre;

TEST(MemoryListeners, ReleaseListenersGetTheNumbers) {
  FakeMemory memory;
  MemoryBudgetManager manager(fake_options(memory, 1000));
  manager.register_component({.name = "a"});
  std::vector<MemoryReleased> events;
  const ListenerId id = manager.on_release([&](const MemoryReleased& e) { events.push_back(e); });
  Reservation first = manager.reserve_or_throw("a", 300);
  Reservation second = manager.reserve_or_throw("a", 200);
  first.release();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].component, "a");
  EXPECT_EQ(events[0].bytes, 300u);
  EXPECT_EQ(events[0].component_reserved_bytes, 200u);
  EXPECT_EQ(events[0].reserved_bytes, 200u);
  EXPECT_TRUE(manager.unsubscribe(id));
  EXPECT_FALSE(manager.unsubscribe(id));
  second.release();
  EXPECT_EQ(events.size(), 1u);
}

TEST(MemoryListeners, EmptyCallbacksAreRefused) {
  FakeMemory memory;
  MemoryBudgetManager manager(fake_options(memory, 1000));
  EXPECT_THROW((void)manager.on_release({}), Error);
  EXPECT_THROW((void)manager.on_pressure_change({}), Error);
}

TEST(MemoryListeners, ChangesAtTheSameLevelAreReported) {
  FakeMemory memory;
  MemoryBudgetManager manager(fake_options(memory, 1000));
  manager.register_component({.name = "low", .importance = 1});
  manager.register_component({.name = "mid", .importance = 2});
  manager.register_component({.name = "top", .importance = 3});
  test::ChangeLog log(manager);
  memory.set_rss(900);
  manager.refresh();
  manager.refresh();
  ASSERT_EQ(log.changes.size(), 2u);
  EXPECT_EQ(log.changes[1].from, PressureLevel::high);
  EXPECT_EQ(log.changes[1].to, PressureLevel::high);
  EXPECT_THAT(log.changes[1].deactivated, ElementsAre("mid"));
  manager.refresh();  // nothing left to shed: no event
  EXPECT_EQ(log.changes.size(), 2u);
}

TEST(MemoryListeners, ListenersMayCallTheManager) {
  FakeMemory memory;
  MemoryBudgetManager manager(fake_options(memory, 1000));
  manager.register_component({.name = "a"});
  std::vector<std::uint64_t> released;
  ListenerId self = 0;
  self = manager.on_release([&](const MemoryReleased& e) {
    released.push_back(e.bytes);
    if (released.size() == 1) {
      // Its release event waits until this call returns, then comes next.
      manager.reserve_or_throw("a", 7).release();
      EXPECT_EQ(released.size(), 1u);
    } else {
      EXPECT_TRUE(manager.unsubscribe(self));  // from inside: does not wait for itself
    }
  });
  manager.reserve_or_throw("a", 100).release();
  EXPECT_THAT(released, ElementsAre(100u, 7u));
  manager.reserve_or_throw("a", 1).release();
  EXPECT_EQ(released.size(), 2u);
}

TEST(MemoryListeners, UnsubscribeWaitsForACallInProgress) {
  FakeMemory memory;
  MemoryBudgetManager manager(fake_options(memory, 1000));
  manager.register_component({.name = "a"});
  std::promise<void> entered;
  std::atomic<bool> may_leave{false};
  std::atomic<bool> left{false};
  const ListenerId id = manager.on_release([&](const MemoryReleased&) {
    entered.set_value();
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!may_leave.load() && std::chrono::steady_clock::now() < limit) {
      std::this_thread::yield();
    }
    left.store(true);
  });
  std::thread releaser([&] { manager.reserve_or_throw("a", 1).release(); });
  ASSERT_EQ(entered.get_future().wait_for(std::chrono::seconds(20)), std::future_status::ready);
  std::atomic<bool> unsubscribed{false};
  std::thread unsubscriber([&] {
    EXPECT_TRUE(manager.unsubscribe(id));
    EXPECT_TRUE(left.load()) << "unsubscribe returned while the listener was still running";
    unsubscribed.store(true);
  });
  // Not for synchronisation: gives a wrong unsubscribe the time to return early.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(unsubscribed.load());
  may_leave.store(true);
  releaser.join();
  unsubscriber.join();
  EXPECT_TRUE(unsubscribed.load());
}

}  // namespace
}  // namespace neat
