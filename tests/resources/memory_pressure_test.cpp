// Pressure levels with hysteresis, real readings, and progressive deactivation (fake readings).
#include "neat/resources/memory_pressure.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "neat/resources/memory_budget.hpp"
#include "resources/memory_test_support.hpp"

namespace neat {
namespace {

using test::ChangeLog;
using test::fake_options;
using test::FakeMemory;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Level = PressureLevel;
using Names = std::vector<std::string>;

TEST(PressureLevels, RiseAtEnterFallOnlyBelowExit) {
  const PressureThresholds t;  // 0.70/0.60, 0.85/0.75, 0.95/0.90
  Level level = Level::normal;
  const std::vector<std::pair<double, Level>> steps = {
      {0.50, Level::normal},   {0.69, Level::normal}, {0.70, Level::elevated},
      {0.61, Level::elevated}, {0.59, Level::normal}, {0.96, Level::critical},
      {0.91, Level::critical}, {0.89, Level::high},   {0.76, Level::high},
      {0.74, Level::elevated}, {0.86, Level::high},   {0.10, Level::normal},
      {1.50, Level::critical}, {0.80, Level::high}};
  for (const auto& [usage, expected] : steps) {
    level = next_pressure_level(level, usage, t);
    EXPECT_EQ(level, expected) << "usage " << usage;
  }
  EXPECT_EQ(to_string(Level::normal), "normal");
  EXPECT_EQ(to_string(Level::elevated), "elevated");
  EXPECT_EQ(to_string(Level::high), "high");
  EXPECT_EQ(to_string(Level::critical), "critical");
}

TEST(PressureLevels, ValidateRefusesInconsistentThresholds) {
  auto refused = [](PressureThresholds t, const std::string& text) {
    try {
      validate(t);
      ADD_FAILURE() << "accepted, expected '" << text << "'";
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), HasSubstr(text));
    }
  };
  validate(PressureThresholds{});
  PressureThresholds t;
  t.elevated = {.enter = 0.5, .exit = 0.5};
  refused(t, "elevated (enter 0.5, exit 0.5): needs 0 <= exit < enter <= 1");
  t = {};
  t.critical = {.enter = 1.2, .exit = 0.9};
  refused(t, "critical (enter 1.2, exit 0.9): needs");
  t = {};
  t.elevated.exit = -0.1;
  refused(t, "needs 0 <= exit");
  t = {};
  t.high = {.enter = 0.7, .exit = 0.65};
  refused(t, "high (enter 0.7, exit 0.65): enter must be above the lower level's enter 0.7");
  t = {};
  t.critical = {.enter = 0.99, .exit = 0.7};
  refused(t, "critical (enter 0.99, exit 0.7): exit must not be below the lower level's exit 0.75");
}

TEST(PressureLevels, RealUsageIsTheLargestOfProcessCgroupAndMachine) {
  MemorySample s;
  EXPECT_EQ(real_usage_fraction(s, 1000), 0.0);
  s.process_rss_bytes = 250;
  EXPECT_DOUBLE_EQ(real_usage_fraction(s, 1000), 0.25);
  EXPECT_EQ(real_usage_fraction(s, 0), 0.0);
  s.cgroup_limit_bytes = 2000;
  s.cgroup_current_bytes = 1000;
  EXPECT_DOUBLE_EQ(real_usage_fraction(s, 1000), 0.5);
  s.total_bytes = 10000;
  s.available_bytes = 2000;
  EXPECT_DOUBLE_EQ(real_usage_fraction(s, 1000), 0.8);
  s.available_bytes = 20000;  // inconsistent machine numbers are left out
  EXPECT_DOUBLE_EQ(real_usage_fraction(s, 1000), 0.5);
}

TEST(MemoryPressure, LevelsFollowReservationsWithHysteresis) {
  FakeMemory memory;
  MemoryBudgetManager manager(fake_options(memory, 1000));
  manager.register_component({.name = "a"});
  ChangeLog log(manager);
  Reservation big = manager.reserve_or_throw("a", 650);
  Reservation small = manager.reserve_or_throw("a", 50);
  EXPECT_EQ(manager.level(), Level::elevated);  // 0.70
  small.release();
  EXPECT_EQ(manager.level(), Level::elevated);  // 0.65: above the exit
  Reservation more = manager.reserve_or_throw("a", 250);
  EXPECT_EQ(manager.level(), Level::high);  // 0.90
  big.release();
  EXPECT_EQ(manager.level(), Level::normal);
  ASSERT_EQ(log.changes.size(), 3u);
  EXPECT_EQ(log.changes[0].from, Level::normal);
  EXPECT_EQ(log.changes[0].to, Level::elevated);
  EXPECT_DOUBLE_EQ(log.changes[0].usage, 0.70);
  EXPECT_EQ(log.changes[1].to, Level::high);
  EXPECT_EQ(log.changes[2].from, Level::high);
  EXPECT_EQ(log.changes[2].to, Level::normal);
  EXPECT_TRUE(manager.unsubscribe(log.id));
}

// Importance: low 1, mid_a 2, mid_b 2 (registered later, so shed first), top 5.
class Shedding : public ::testing::Test {
 protected:
  Shedding() {
    for (const auto& [name, importance] : std::vector<std::pair<std::string, double>>{
             {"low", 1}, {"mid_a", 2}, {"mid_b", 2}, {"top", 5}}) {
      manager.register_component({.name = name, .importance = importance});
    }
  }
  void usage(double fraction) {
    memory.set_rss(static_cast<std::uint64_t>(fraction * 1000));
    manager.refresh();
  }
  Names inactive() const {
    Names names;
    for (const ComponentMemory& c : manager.snapshot().components) {
      if (!c.active) names.push_back(c.name);
    }
    return names;
  }

  FakeMemory memory;
  MemoryBudgetManager manager{fake_options(memory, 1000)};
  ChangeLog log{manager};
};

TEST_F(Shedding, HighShedsOneAtATimeLeastImportantFirst) {
  usage(0.80);
  EXPECT_EQ(manager.level(), Level::elevated);
  EXPECT_THAT(inactive(), ElementsAre());
  usage(0.86);
  EXPECT_EQ(manager.level(), Level::high);
  EXPECT_THAT(inactive(), ElementsAre("low"));
  usage(0.86);  // not falling: one more, the later registered of the two mids
  EXPECT_THAT(inactive(), ElementsAre("low", "mid_b"));
  usage(0.855);  // fell by less than shed_progress (0.01): still not enough
  EXPECT_THAT(inactive(), ElementsAre("low", "mid_a", "mid_b"));
  usage(0.87);
  usage(0.88);  // only the most important is left, and it stays
  EXPECT_THAT(inactive(), ElementsAre("low", "mid_a", "mid_b"));
  EXPECT_TRUE(manager.is_active("top"));
  usage(0.74);  // below high's exit: all back
  EXPECT_EQ(manager.level(), Level::elevated);
  EXPECT_THAT(inactive(), ElementsAre());
  const PressureChange& back = log.changes.back();
  EXPECT_EQ(back.from, Level::high);
  EXPECT_THAT(back.reactivated, ElementsAre("mid_a", "mid_b", "low"));  // most important first
}

TEST_F(Shedding, FallingPressureAtHighShedsNoMore) {
  usage(0.90);
  EXPECT_THAT(inactive(), ElementsAre("low"));
  usage(0.88);
  usage(0.86);
  usage(0.80);
  EXPECT_EQ(manager.level(), Level::high);
  EXPECT_THAT(inactive(), ElementsAre("low"));
}

TEST_F(Shedding, CriticalKeepsOnlyTheMostImportant) {
  usage(0.96);
  EXPECT_EQ(manager.level(), Level::critical);
  EXPECT_THAT(inactive(), ElementsAre("low", "mid_a", "mid_b"));
  ASSERT_EQ(log.changes.size(), 1u);
  EXPECT_THAT(log.changes[0].deactivated, ElementsAre("low", "mid_b", "mid_a"));
  const std::string reason = *manager.deactivation_reason("mid_a");
  EXPECT_EQ(reason,
            "deactivated at memory pressure critical (96.0% of 1000 bytes in use): only the most "
            "important components (importance 5) stay active");
  EXPECT_FALSE(manager.deactivation_reason("top"));

  usage(0.89);  // down to high: nothing comes back yet
  EXPECT_EQ(manager.level(), Level::high);
  EXPECT_THAT(inactive(), ElementsAre("low", "mid_a", "mid_b"));
  usage(0.50);
  EXPECT_EQ(manager.level(), Level::normal);
  EXPECT_THAT(log.changes.back().reactivated, ElementsAre("mid_a", "mid_b", "low"));
}

TEST_F(Shedding, InactiveComponentsAreRefusedButKeepWhatTheyHold) {
  Reservation held = manager.reserve_or_throw("low", 100);
  usage(0.86);
  ASSERT_FALSE(manager.is_active("low"));
  EXPECT_EQ(*manager.deactivation_reason("low"),
            "deactivated at memory pressure high (86.0% of 1000 bytes in use): the least "
            "important active component (importance 1)");
  const Refusal r = manager.try_reserve("low", 10).error();
  EXPECT_EQ(r.reason, RefusalReason::component_inactive);
  EXPECT_THAT(r.message, HasSubstr("component 'low': 10 bytes requested while deactivated at "
                                   "memory pressure high"));
  EXPECT_TRUE(r.may_fit_later());
  EXPECT_EQ(manager.reserved_bytes("low"), 100u);
  held.release();
  EXPECT_EQ(manager.reserved_bytes("low"), 0u);
  EXPECT_TRUE(manager.try_reserve("top", 10));
}

TEST(MemoryPressure, EqualImportanceIsNeverShed) {
  FakeMemory memory;
  MemoryBudgetManager manager(fake_options(memory, 1000));
  manager.register_component({.name = "a"});
  manager.register_component({.name = "b"});
  memory.set_rss(990);
  manager.refresh();
  manager.refresh();
  EXPECT_EQ(manager.level(), Level::critical);
  EXPECT_TRUE(manager.is_active("a"));
  EXPECT_TRUE(manager.is_active("b"));
}

}  // namespace
}  // namespace neat
