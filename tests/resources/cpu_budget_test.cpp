#include "neat/resources/cpu_budget.hpp"

#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

namespace neat {
namespace {

TEST(CpuMax, ParsesQuotaAndPeriod) {
  EXPECT_DOUBLE_EQ(*parse_cpu_max("150000 100000\n"), 1.5);
  EXPECT_DOUBLE_EQ(*parse_cpu_max("50000 100000"), 0.5);
}

TEST(CpuMax, UnlimitedOrMalformedMeansNoQuota) {
  EXPECT_FALSE(parse_cpu_max("max 100000").has_value());
  EXPECT_FALSE(parse_cpu_max("").has_value());
  EXPECT_FALSE(parse_cpu_max("abc 100000").has_value());
  EXPECT_FALSE(parse_cpu_max("12x 100000").has_value());
  EXPECT_FALSE(parse_cpu_max("100 0").has_value());
  EXPECT_FALSE(parse_cpu_max("-5 100").has_value());
  EXPECT_FALSE(parse_cpu_max("100").has_value());
}

TEST(CpuBudget, MatchesAffinityOfThisProcess) {
  const CpuBudget budget = read_cpu_budget();
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
  EXPECT_EQ(budget.affinity, static_cast<std::size_t>(CPU_COUNT(&set)));
  EXPECT_GE(budget.online, budget.affinity);
  EXPECT_GE(budget.usable, 1u);
  EXPECT_LE(budget.usable, budget.affinity);
  if (budget.quota) {
    EXPECT_LE(static_cast<double>(budget.usable), *budget.quota + 1.0);
  }
  EXPECT_FALSE(budget.source.empty());
}

TEST(CpuBudget, FollowsANarrowedAffinityMask) {
  cpu_set_t original;
  CPU_ZERO(&original);
  ASSERT_EQ(sched_getaffinity(0, sizeof(original), &original), 0);
  int first = -1;
  for (int cpu = 0; cpu < CPU_SETSIZE && first < 0; ++cpu) {
    if (CPU_ISSET(cpu, &original)) first = cpu;
  }
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
  const CpuBudget budget = read_cpu_budget();
  ASSERT_EQ(sched_setaffinity(0, sizeof(original), &original), 0);
  EXPECT_EQ(budget.affinity, 1u);
  EXPECT_EQ(budget.usable, 1u);
}

}  // namespace
}  // namespace neat
