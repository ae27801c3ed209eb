#include "neat/common/types.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "neat/common/error.hpp"

namespace neat {
namespace {

using ::testing::HasSubstr;

TEST(Types, PriorityNamesRoundTrip) {
  for (auto p : {ExecutionPriority::critical, ExecutionPriority::high, ExecutionPriority::medium,
                 ExecutionPriority::low}) {
    EXPECT_EQ(parse_priority(to_string(p)), p);
  }
  EXPECT_EQ(to_string(ExecutionPriority::critical), "critical");
  EXPECT_FALSE(parse_priority("urgent").has_value());
  EXPECT_LT(ExecutionPriority::critical, ExecutionPriority::low);
}

TEST(Types, AccessModeAndDeviceNamesRoundTrip) {
  for (auto m : {AccessMode::read, AccessMode::write, AccessMode::read_write}) {
    EXPECT_EQ(parse_access_mode(to_string(m)), m);
  }
  for (auto d : {DeviceAffinity::any, DeviceAffinity::cpu, DeviceAffinity::cuda}) {
    EXPECT_EQ(parse_device_affinity(to_string(d)), d);
  }
  EXPECT_FALSE(parse_access_mode("rw").has_value());
  EXPECT_FALSE(parse_device_affinity("tpu").has_value());
}

TEST(Types, StatusNamesAndTerminality) {
  EXPECT_EQ(to_string(OpStatus::timed_out), "timed_out");
  EXPECT_EQ(to_string(OpStatus::paused), "paused");
  EXPECT_FALSE(is_terminal(OpStatus::pending));
  EXPECT_FALSE(is_terminal(OpStatus::ready));
  EXPECT_FALSE(is_terminal(OpStatus::running));
  EXPECT_FALSE(is_terminal(OpStatus::paused));
  EXPECT_TRUE(is_terminal(OpStatus::completed));
  EXPECT_TRUE(is_terminal(OpStatus::failed));
  EXPECT_TRUE(is_terminal(OpStatus::cancelled));
  EXPECT_TRUE(is_terminal(OpStatus::timed_out));
}

TEST(Errors, CycleErrorNamesTheCycle) {
  CycleError e({"a", "b", "a"});
  EXPECT_STREQ(e.what(), "dependency cycle: a -> b -> a");
  EXPECT_EQ(e.cycle().size(), 3u);
}

TEST(Errors, OperationFailedCarriesNameComponentAndCause) {
  OperationFailed with_component("recall", "titans_memory",
                                 std::make_exception_ptr(std::runtime_error("oom")));
  EXPECT_STREQ(with_component.what(), "operation 'recall' (component 'titans_memory') failed: oom");
  OperationFailed without("step", "", std::make_exception_ptr(std::logic_error("x")));
  EXPECT_STREQ(without.what(), "operation 'step' failed: x");
  EXPECT_THROW(without.rethrow_cause(), std::logic_error);
}

TEST(Errors, DescribeHandlesEveryKindOfException) {
  EXPECT_EQ(describe(nullptr), "no error");
  EXPECT_EQ(describe(std::make_exception_ptr(std::runtime_error("text"))), "text");
  EXPECT_THAT(describe(std::make_exception_ptr(7)), HasSubstr("not a std::exception"));
}

}  // namespace
}  // namespace neat
