// MemoryBudgetManager: totals, options, budgets, reservations and refusals.
#include "neat/resources/memory_budget.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "resources/memory_test_support.hpp"

namespace neat {
namespace {

using test::fake_options;
using test::FakeMemory;
using ::testing::HasSubstr;

constexpr std::uint64_t k_mib = 1ull << 20;

template <class F>
void expect_error(F call, const std::string& text) {
  try {
    call();
    ADD_FAILURE() << "expected neat::Error with '" << text << "'";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(text));
  }
}

TEST(MemoryBudget, DefaultTotalIsMemTotalLessMarginCappedByTheCgroup) {
  MemorySample s;
  s.total_bytes = 10000;
  EXPECT_EQ(default_memory_total(s, 0.1), 9000u);
  EXPECT_EQ(default_memory_total(s, 0.5), 5000u);
  s.cgroup_limit_bytes = 4000;
  EXPECT_EQ(default_memory_total(s, 0.1), 4000u);
  s.cgroup_limit_bytes = 20000;  // a limit above the machine does not raise it
  EXPECT_EQ(default_memory_total(s, 0.1), 9000u);
  s.total_bytes = 0;
  EXPECT_EQ(default_memory_total(s, 0.1), 20000u);
  EXPECT_EQ(default_memory_total(MemorySample{}, 0.1), 0u);

  MemoryBudgetManager manager({.sampler = [] {
    MemorySample m;
    m.total_bytes = 1000 * k_mib;
    m.available_bytes = 900 * k_mib;
    return m;
  }});
  EXPECT_EQ(manager.total_bytes(), 900 * k_mib);
  EXPECT_EQ(manager.level(), PressureLevel::normal);
}

TEST(MemoryBudget, TheRealMachineGivesATotal) {
  MemoryBudgetManager manager;
  EXPECT_GT(manager.total_bytes(), 0u);
  EXPECT_GT(manager.snapshot().sample.total_bytes, 0u);
}

TEST(MemoryBudget, RefusesBadOptions) {
  FakeMemory memory;
  auto with = [&](auto change) {
    return [&memory, change] {
      MemoryBudgetOptions options = fake_options(memory, 1000);
      change(options);
      MemoryBudgetManager manager(std::move(options));
    };
  };
  expect_error(with([](auto& o) { o.margin_fraction = 1.0; }),
               "MemoryBudgetOptions.margin_fraction: must lie in [0, 1), got 1");
  expect_error(with([](auto& o) { o.margin_fraction = -0.1; }), "margin_fraction");
  expect_error(with([](auto& o) { o.shed_progress = 1.5; }),
               "MemoryBudgetOptions.shed_progress: must lie in [0, 1], got 1.5");
  expect_error(with([](auto& o) { o.sample_interval = std::chrono::milliseconds(-1); }),
               "MemoryBudgetOptions.sample_interval: must not be negative, got -1 ms");
  expect_error(with([](auto& o) { o.thresholds.high.exit = 0.9; }),
               "memory pressure thresholds: high (enter 0.85, exit 0.9): needs 0 <= exit < enter");
  expect_error(with([](auto& o) { o.total_bytes = 0; }), "MemoryBudgetManager: no memory total");
  with([](auto& o) { o.shed_progress = 1.0; })();  // the bounds themselves are fine
}

TEST(MemoryBudget, BudgetsExplicitAndSplitByImportance) {
  FakeMemory memory;
  ComponentResourceManager components;
  components.register_component({.name = "titans_memory", .importance = 3});
  components.register_component({.name = "fixed", .memory_budget_bytes = 100});
  MemoryBudgetManager manager(components, fake_options(memory, 1000));
  EXPECT_EQ(manager.budget_bytes("titans_memory"), 900u);
  EXPECT_EQ(manager.budget_bytes("fixed"), 100u);
  manager.register_component({.name = "blt_encoder", .importance = 1});  // re-split
  EXPECT_EQ(manager.budget_bytes("titans_memory"), 675u);
  EXPECT_EQ(manager.budget_bytes("blt_encoder"), 225u);
  EXPECT_EQ(manager.budget_bytes("fixed"), 100u);
  expect_error([&] { (void)manager.budget_bytes("mvot"); },
               "unknown component 'mvot' (registered: titans_memory, fixed, blt_encoder)");
  expect_error([&] { (void)manager.reserved_bytes("mvot"); }, "unknown component 'mvot'");
  expect_error([&] { (void)manager.is_active("mvot"); }, "unknown component 'mvot'");
  expect_error([&] { (void)manager.deactivation_reason("mvot"); }, "unknown component 'mvot'");
}

TEST(MemoryBudget, BadRegistrationsChangeNothing) {
  FakeMemory memory;
  MemoryBudgetManager manager(fake_options(memory, 1000));
  manager.register_component({.name = "a", .memory_budget_bytes = 600});
  expect_error(
      [&] { manager.register_component({.name = "b", .memory_budget_bytes = 500}); },
      "component 'b': the explicit memory budgets sum to 1.1 KiB (1100 bytes), past the total of "
      "1000 bytes");
  ComponentResourceManager batch;
  batch.register_component({.name = "c"});
  batch.register_component({.name = "a"});  // already in the manager
  expect_error([&] { manager.register_components(batch); }, "component 'a': already registered");
  expect_error([&] { manager.register_component({.name = "d", .importance = -2}); },
               "component 'd': importance must be a finite number >= 0, got -2");
  const MemorySnapshot s = manager.snapshot();
  ASSERT_EQ(s.components.size(), 1u);
  EXPECT_EQ(s.components[0].name, "a");
  EXPECT_EQ(s.components[0].budget_bytes, 600u);
  EXPECT_FALSE(manager.try_reserve("c", 1));
}

TEST(MemoryBudget, ReservationsAreRaii) {
  FakeMemory memory;
  MemoryBudgetManager manager(fake_options(memory, 1000));
  manager.register_component({.name = "a"});
  {
    ReservationResult r = manager.try_reserve("a", 300);
    ASSERT_TRUE(r.has_value());
    Reservation held = std::move(r).value();
    EXPECT_TRUE(held.holds());
    EXPECT_EQ(held.component(), "a");
    EXPECT_EQ(held.bytes(), 300u);
    EXPECT_EQ(manager.reserved_bytes("a"), 300u);
    EXPECT_EQ(manager.reserved_bytes(), 300u);

    Reservation moved(std::move(held));
    EXPECT_FALSE(held.holds());  // NOLINT(bugprone-use-after-move): moved-from is empty
    EXPECT_EQ(held.component(), "");
    EXPECT_EQ(moved.bytes(), 300u);

    Reservation other = manager.reserve_or_throw("a", 100);
    EXPECT_EQ(manager.reserved_bytes(), 400u);
    other = std::move(moved);  // releases the 100 it held
    EXPECT_EQ(manager.reserved_bytes(), 300u);
    Reservation& same = other;
    other = std::move(same);  // self-move keeps it
    EXPECT_EQ(manager.reserved_bytes(), 300u);
  }
  EXPECT_EQ(manager.reserved_bytes(), 0u);

  Reservation early = manager.reserve_or_throw("a", 1000);  // the whole budget
  early.release();
  early.release();  // no effect twice
  EXPECT_FALSE(early);
  EXPECT_EQ(manager.reserved_bytes("a"), 0u);
  Reservation none = manager.reserve_or_throw("a", 0);
  EXPECT_TRUE(none.holds());
  EXPECT_EQ(none.bytes(), 0u);
}

TEST(MemoryBudget, RefusalsSayWhyWithTheNumbers) {
  FakeMemory memory;
  MemoryBudgetManager manager(fake_options(memory, 1000 * k_mib));
  manager.register_component({.name = "small", .memory_budget_bytes = 256 * k_mib});
  manager.register_component({.name = "rest"});
  Reservation held = manager.reserve_or_throw("small", 100 * k_mib);

  ReservationResult over = manager.try_reserve("small", 200 * k_mib);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().reason, RefusalReason::over_component_budget);
  EXPECT_EQ(over.error().message,
            "component 'small': 200.0 MiB (209715200 bytes) requested, budget 256.0 MiB "
            "(268435456 bytes) with 100.0 MiB (104857600 bytes) reserved");
  EXPECT_EQ(over.error().limit_bytes, 256 * k_mib);
  EXPECT_EQ(over.error().in_use_bytes, 100 * k_mib);
  EXPECT_TRUE(over.error().may_fit_later());
  EXPECT_FALSE(manager.try_reserve("small", 300 * k_mib).error().may_fit_later());

  const Refusal unknown = manager.try_reserve("mvot", 1).error();
  EXPECT_EQ(unknown.reason, RefusalReason::unknown_component);
  EXPECT_EQ(unknown.message, "unknown component 'mvot' (registered: small, rest)");
  EXPECT_FALSE(unknown.may_fit_later());

  memory.set_rss(900 * k_mib);  // real usage outside any reservation
  manager.refresh();
  const Refusal global = manager.try_reserve("rest", 200 * k_mib).error();
  EXPECT_EQ(global.reason, RefusalReason::over_global_budget);
  EXPECT_THAT(global.message, HasSubstr("component 'rest': 200.0 MiB (209715200 bytes) requested, "
                                        "but 900.0 MiB (943718400 bytes) of the total 1000.0 MiB"));
  EXPECT_THAT(global.message, HasSubstr("(reserved 100.0 MiB (104857600 bytes), real usage 900.0"));
  EXPECT_TRUE(global.may_fit_later());
  EXPECT_TRUE(manager.try_reserve("rest", 100 * k_mib));  // exactly fits

  try {
    (void)manager.reserve_or_throw("small", 300 * k_mib);
    FAIL() << "expected MemoryRefused";
  } catch (const MemoryRefused& e) {
    EXPECT_EQ(e.refusal().reason, RefusalReason::over_component_budget);
    EXPECT_EQ(std::string(e.what()), e.refusal().message);
  }
  ReservationResult granted = manager.try_reserve("small", 1);
  expect_error([&] { (void)granted.error(); }, "the reservation was granted");
  EXPECT_EQ(to_string(RefusalReason::component_inactive), "component_inactive");
  EXPECT_EQ(to_string(RefusalReason::over_global_budget), "over_global_budget");
  EXPECT_EQ(to_string(RefusalReason::over_component_budget), "over_component_budget");
  EXPECT_EQ(to_string(RefusalReason::unknown_component), "unknown_component");
}

TEST(MemoryBudget, HugeRequestsDoNotOverflow) {
  FakeMemory memory;
  MemoryBudgetManager manager(fake_options(memory, 1000));
  manager.register_component({.name = "a"});
  Reservation held = manager.reserve_or_throw("a", 10);
  const Refusal r = manager.try_reserve("a", ~0ull).error();
  EXPECT_EQ(r.reason, RefusalReason::over_component_budget);
  EXPECT_EQ(manager.reserved_bytes(), 10u);
}

TEST(MemoryBudget, ReservationsAboveANewSmallerBudgetStay) {
  FakeMemory memory;
  MemoryBudgetManager manager(fake_options(memory, 1000));
  manager.register_component({.name = "a"});
  Reservation held = manager.reserve_or_throw("a", 800);
  manager.register_component({.name = "b"});  // a's budget is now 500
  EXPECT_EQ(manager.budget_bytes("a"), 500u);
  EXPECT_EQ(manager.reserved_bytes("a"), 800u);
  EXPECT_EQ(manager.try_reserve("a", 1).error().reason, RefusalReason::over_component_budget);
  EXPECT_EQ(manager.try_reserve("b", 300).error().reason, RefusalReason::over_global_budget);
  held.release();
  EXPECT_TRUE(manager.try_reserve("a", 500));
}

TEST(MemoryBudget, SnapshotReportsEverything) {
  FakeMemory memory;
  memory.set_rss(100);
  MemoryBudgetManager manager(fake_options(memory, 1000));
  manager.register_component({.name = "a", .importance = 2});
  manager.register_component({.name = "b", .importance = 1, .memory_budget_bytes = 200});
  Reservation held = manager.reserve_or_throw("a", 300);
  const MemorySnapshot s = manager.snapshot();
  EXPECT_EQ(s.level, PressureLevel::normal);
  EXPECT_EQ(s.total_bytes, 1000u);
  EXPECT_EQ(s.reserved_bytes, 300u);
  EXPECT_DOUBLE_EQ(s.real_fraction, 0.1);
  EXPECT_DOUBLE_EQ(s.usage, 0.3);
  EXPECT_EQ(s.sample.process_rss_bytes, 100u);
  ASSERT_EQ(s.components.size(), 2u);
  EXPECT_EQ(s.components[0].name, "a");
  EXPECT_EQ(s.components[0].importance, 2.0);
  EXPECT_EQ(s.components[0].budget_bytes, 800u);
  EXPECT_EQ(s.components[0].reserved_bytes, 300u);
  EXPECT_TRUE(s.components[0].active);
  EXPECT_EQ(s.components[1].budget_bytes, 200u);
  EXPECT_EQ(s.components[1].deactivation_reason, "");
}

TEST(MemoryBudget, TryReserveSamplesAgainAfterTheInterval) {
  FakeMemory memory;
  MemoryBudgetOptions options = fake_options(memory, 1000);
  options.sample_interval = std::chrono::milliseconds(1);
  MemoryBudgetManager manager(std::move(options));
  manager.register_component({.name = "a"});
  const std::size_t first = memory.samples();
  EXPECT_GE(first, 1u);
  memory.set_rss(800);
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (manager.level() == PressureLevel::normal && std::chrono::steady_clock::now() < limit) {
    (void)manager.try_reserve("a", 0);
  }
  EXPECT_EQ(manager.level(), PressureLevel::elevated);  // the new reading arrived
  EXPECT_GT(memory.samples(), first);
}

}  // namespace
}  // namespace neat
