#include "neat/resources/component_registry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "neat/common/error.hpp"

namespace neat {
namespace {

using ::testing::HasSubstr;

constexpr std::uint64_t k_gib = 1ull << 30;

// Runs `register_call`, expects a neat::Error containing `text`, and that nothing changed.
template <class F>
void expect_refused(ComponentResourceManager& registry, F register_call, const std::string& text) {
  const std::size_t before = registry.size();
  const std::uint64_t explicit_before = registry.explicit_budget_bytes();
  try {
    register_call();
    ADD_FAILURE() << "expected neat::Error with '" << text << "'";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(text));
  }
  EXPECT_EQ(registry.size(), before);
  EXPECT_EQ(registry.explicit_budget_bytes(), explicit_before);
}

TEST(ComponentRegistry, RegistersFindsAndLists) {
  ComponentResourceManager registry;
  const ComponentConfig& memory =
      registry.register_component({.name = "titans_memory",
                                   .importance = 3,
                                   .default_priority = ExecutionPriority::high,
                                   .memory_budget_bytes = 2 * k_gib,
                                   .device = DeviceAffinity::cpu});
  registry.register_component({.name = "blt_encoder"});
  EXPECT_EQ(&memory, registry.find("titans_memory"));  // stable after later registrations
  EXPECT_EQ(registry.at("titans_memory").default_priority, ExecutionPriority::high);
  EXPECT_EQ(registry.at("titans_memory").device, DeviceAffinity::cpu);
  EXPECT_EQ(registry.at("blt_encoder").importance, 1.0);
  EXPECT_EQ(registry.at("blt_encoder").default_priority, ExecutionPriority::medium);
  EXPECT_EQ(registry.find("nope"), nullptr);
  const std::vector<ComponentConfig> all = registry.list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "titans_memory");
  EXPECT_EQ(all[1].name, "blt_encoder");
  EXPECT_EQ(registry.explicit_budget_bytes(), 2 * k_gib);
  EXPECT_FALSE(registry.total_bytes());
}

TEST(ComponentRegistry, UnknownNameListsTheRegisteredOnes) {
  ComponentResourceManager registry;
  EXPECT_EQ(registry.unknown_component_message("x"), "unknown component 'x' (registered: none)");
  registry.register_component({.name = "a"});
  registry.register_component({.name = "b"});
  try {
    (void)registry.at("mvot");
    FAIL() << "expected neat::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "unknown component 'mvot' (registered: a, b)");
  }
}

TEST(ComponentRegistry, RefusesBadConfigsAndChangesNothing) {
  ComponentResourceManager registry(4 * k_gib);
  registry.register_component({.name = "a", .memory_budget_bytes = 3 * k_gib});
  expect_refused(
      registry, [&] { registry.register_component({.name = ""}); },
      "component name must not be empty");
  expect_refused(
      registry, [&] { registry.register_component({.name = "a"}); },
      "component 'a': already registered");
  expect_refused(
      registry, [&] { registry.register_component({.name = "n", .importance = -1}); },
      "component 'n': importance must be a finite number >= 0, got -1");
  expect_refused(
      registry, [&] { registry.register_component({.name = "n", .importance = std::nan("")}); },
      "importance must be a finite number >= 0, got nan");
  expect_refused(
      registry,
      [&] {
        registry.register_component(
            {.name = "n", .importance = std::numeric_limits<double>::infinity()});
      },
      "got inf");
  expect_refused(
      registry, [&] { registry.register_component({.name = "z", .memory_budget_bytes = 0}); },
      "component 'z': an explicit memory budget must be at least 1 byte");
  expect_refused(
      registry,
      [&] { registry.register_component({.name = "b", .memory_budget_bytes = 2 * k_gib}); },
      "component 'b': the explicit memory budgets sum to 5.0 GiB (5368709120 bytes), past the "
      "total of 4.0 GiB (4294967296 bytes)");
  expect_refused(
      registry, [&] { registry.register_component({.name = "c", .memory_budget_bytes = ~0ull}); },
      "past the total");
  registry.register_component({.name = "b", .memory_budget_bytes = k_gib});  // exactly fits
  EXPECT_EQ(registry.explicit_budget_bytes(), 4 * k_gib);
}

TEST(ComponentRegistry, SplitsTheRestByImportance) {
  ComponentResourceManager registry;
  registry.register_component({.name = "fixed", .importance = 9, .memory_budget_bytes = 1000});
  registry.register_component({.name = "big", .importance = 3});
  registry.register_component({.name = "small", .importance = 1});
  const std::vector<std::uint64_t> budgets = registry.budgets_for(5000);
  EXPECT_EQ(budgets, (std::vector<std::uint64_t>{1000, 3000, 1000}));
  // Rounding never lets the split pass the total.
  const std::vector<std::uint64_t> odd = registry.budgets_for(1003);
  EXPECT_EQ(odd[0], 1000u);
  EXPECT_LE(odd[1] + odd[2], 3u);
}

TEST(ComponentRegistry, ZeroImportanceGetsNoShareUnlessAllAreZero) {
  ComponentResourceManager registry;
  registry.register_component({.name = "idle", .importance = 0});
  EXPECT_EQ(registry.budgets_for(900), (std::vector<std::uint64_t>{900}));  // all zero: equal
  registry.register_component({.name = "also_idle", .importance = 0});
  EXPECT_EQ(registry.budgets_for(900), (std::vector<std::uint64_t>{450, 450}));
  registry.register_component({.name = "worker", .importance = 2});
  EXPECT_EQ(registry.budgets_for(900), (std::vector<std::uint64_t>{0, 0, 900}));
}

TEST(ComponentRegistry, BudgetsForRefusesATotalBelowTheExplicitSum) {
  ComponentResourceManager registry;
  registry.register_component({.name = "a", .memory_budget_bytes = 600});
  registry.register_component({.name = "b", .memory_budget_bytes = 500});
  try {
    (void)registry.budgets_for(1000);
    FAIL() << "expected neat::Error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("explicit memory budgets sum to 1.1 KiB (1100 bytes), past the total "
                          "of 1000 bytes"));
  }
  EXPECT_EQ(registry.budgets_for(1100), (std::vector<std::uint64_t>{600, 500}));
}

TEST(ComponentRegistry, MemoryBytesFromNumbers) {
  EXPECT_EQ(to_memory_bytes(0, "x"), 0u);
  EXPECT_EQ(to_memory_bytes(268435456.0, "x"), 268435456u);
  EXPECT_EQ(to_memory_bytes(9007199254740992.0, "x"), 9007199254740992u);
  for (const double bad :
       {-5.0, 1.5, std::nan(""), std::numeric_limits<double>::infinity(), 18446744073709551616.0}) {
    try {
      (void)to_memory_bytes(bad, "components.blt_encoder.memory_budget");
      ADD_FAILURE() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), HasSubstr("components.blt_encoder.memory_budget: a memory size must "
                                      "be a whole number of bytes >= 0, got "));
    }
  }
}

}  // namespace
}  // namespace neat
