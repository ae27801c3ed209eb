// MemoryBudgetManager driven by real allocations: blocks are mapped and touched (so they are
// resident) until the level is critical, then unmapped one by one until it is normal again. The
// sampler reads this process's real resident set with read_memory_sample(); it leaves out the
// machine and cgroup readings so that other tenants of a shared machine cannot move the levels.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <sstream>

#include "neat/resources/memory_budget.hpp"
#include "resources/memory_test_support.hpp"

namespace neat {
namespace {

using ::testing::ElementsAre;

constexpr std::uint64_t k_mib = 1ull << 20;

/// Anonymous memory, every page written, returned to the system on destruction. (mmap rather
/// than new: sanitizer allocators keep freed blocks resident for a while.)
class TouchedBlock {
 public:
  explicit TouchedBlock(std::size_t bytes) : bytes_(bytes) {
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    data_ = static_cast<char*>(p);
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    for (std::size_t i = 0; i < bytes; i += page) data_[i] = 1;
  }
  ~TouchedBlock() { ::munmap(data_, bytes_); }
  TouchedBlock(const TouchedBlock&) = delete;
  TouchedBlock& operator=(const TouchedBlock&) = delete;

 private:
  std::size_t bytes_;
  char* data_ = nullptr;
};

MemorySample own_resident_set() {
  MemorySample s;
  s.process_rss_bytes = read_memory_sample().process_rss_bytes;
  return s;
}

std::vector<std::string> inactive(const MemoryBudgetManager& manager) {
  std::vector<std::string> names;
  for (const ComponentMemory& c : manager.snapshot().components) {
    if (!c.active) names.push_back(c.name);
  }
  return names;
}

// One line per sample, printed when the test fails.
std::string describe(const MemoryBudgetManager& manager, std::size_t blocks) {
  const MemorySnapshot s = manager.snapshot();
  std::ostringstream out;
  out << blocks << " blocks, rss " << s.sample.process_rss_bytes / k_mib << " MiB, usage "
      << s.usage << ", " << to_string(s.level) << ", " << inactive(manager).size() << " inactive\n";
  return out.str();
}

TEST(MemoryRealPressure, LevelsFollowRealAllocationsUpAndDown) {
  const std::uint64_t start = own_resident_set().process_rss_bytes;
  // Blocks large against the starting set, so that the start is well below elevated.
  const std::size_t block = std::max<std::uint64_t>(32 * k_mib, (start / 4 + k_mib) & ~(k_mib - 1));
  std::vector<std::unique_ptr<TouchedBlock>> blocks;
  blocks.push_back(std::make_unique<TouchedBlock>(block));
  blocks.push_back(std::make_unique<TouchedBlock>(block));
  const std::uint64_t growth = (own_resident_set().process_rss_bytes - start) / 2;
  ASSERT_GE(growth, block / 2) << "a touched block did not become resident";
  // Each block moves the usage by about 1/16 of the total: no level band (>= 0.10 wide) is
  // jumped over, and the start (at most 10/24 of the total) is normal.
  MemoryBudgetManager manager({.total_bytes = start + 16 * growth,
                               .sampler = own_resident_set,
                               .sample_interval = std::chrono::milliseconds(0)});
  manager.register_component({.name = "blt_encoder", .importance = 1});
  manager.register_component({.name = "mvot_tokenizer", .importance = 2});
  manager.register_component({.name = "titans_memory", .importance = 3});
  test::ChangeLog log(manager);
  std::string trace = "start " + std::to_string(start / k_mib) + " MiB, block " +
                      std::to_string(block / k_mib) + " MiB, growth " +
                      std::to_string(growth / k_mib) + " MiB\n";
  trace += describe(manager, blocks.size());
  ASSERT_LT(manager.level(), PressureLevel::high) << trace;

  std::vector<PressureLevel> up;
  while (manager.level() != PressureLevel::critical && blocks.size() < 40) {
    blocks.push_back(std::make_unique<TouchedBlock>(block));
    manager.refresh();
    trace += describe(manager, blocks.size());
    up.push_back(manager.level());
    if (manager.level() == PressureLevel::high && inactive(manager).size() == 1) {
      EXPECT_THAT(inactive(manager), ElementsAre("blt_encoder"));  // least important first
      EXPECT_EQ(manager.try_reserve("blt_encoder", 1).error().reason,
                RefusalReason::component_inactive);
      manager.refresh();  // still high, not falling: the next one goes
      trace += describe(manager, blocks.size());
      EXPECT_THAT(inactive(manager), ElementsAre("blt_encoder", "mvot_tokenizer"));
    }
  }
  ASSERT_EQ(manager.level(), PressureLevel::critical) << trace;
  EXPECT_TRUE(std::is_sorted(up.begin(), up.end()));
  EXPECT_NE(std::find(up.begin(), up.end(), PressureLevel::high), up.end());
  EXPECT_THAT(inactive(manager), ElementsAre("blt_encoder", "mvot_tokenizer"));
  EXPECT_TRUE(manager.is_active("titans_memory"));
  const ReservationResult top = manager.try_reserve("titans_memory", 1);
  EXPECT_TRUE(top || top.error().reason == RefusalReason::over_global_budget);  // not inactive

  std::vector<PressureLevel> down;
  while (!blocks.empty()) {
    blocks.pop_back();
    manager.refresh();
    trace += describe(manager, blocks.size());
    down.push_back(manager.level());
  }
  EXPECT_TRUE(std::is_sorted(down.rbegin(), down.rend()));
  EXPECT_EQ(manager.level(), PressureLevel::normal);
  EXPECT_THAT(inactive(manager), ElementsAre());
  const auto back = std::find_if(log.changes.begin(), log.changes.end(),
                                 [](const PressureChange& c) { return !c.reactivated.empty(); });
  ASSERT_NE(back, log.changes.end()) << trace;
  EXPECT_EQ(back->from, PressureLevel::high);
  EXPECT_THAT(back->reactivated, ElementsAre("mvot_tokenizer", "blt_encoder"));
  if (HasFailure()) std::cerr << trace;
}

}  // namespace
}  // namespace neat
