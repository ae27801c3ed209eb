#include "neat/resources/memory_sample.hpp"

#include <gtest/gtest.h>

#include <sys/mman.h>

#include <cstring>

namespace neat {
namespace {

TEST(MemorySample, ParsesCgroupBytes) {
  EXPECT_EQ(parse_cgroup_bytes("1073741824\n"), 1073741824u);
  EXPECT_FALSE(parse_cgroup_bytes("max\n"));
  EXPECT_FALSE(parse_cgroup_bytes(""));
  EXPECT_FALSE(parse_cgroup_bytes("-1"));
  EXPECT_FALSE(parse_cgroup_bytes("12kb"));
}

TEST(MemorySample, ParsesStatmResidentPages) {
  EXPECT_EQ(parse_statm_resident_bytes("1000 250 30 1 0 100 0\n", 4096), 250u * 4096u);
  EXPECT_FALSE(parse_statm_resident_bytes("garbage", 4096));
}

TEST(MemorySample, HeadroomIsTheTighterOfMachineAndCgroup) {
  MemorySample s;
  s.available_bytes = 1000;
  EXPECT_EQ(s.headroom_bytes(), 1000u);
  s.cgroup_limit_bytes = 800;
  s.cgroup_current_bytes = 300;
  EXPECT_EQ(s.headroom_bytes(), 500u);
  s.cgroup_current_bytes = 900;  // over the limit already
  EXPECT_EQ(s.headroom_bytes(), 0u);
}

TEST(MemorySample, ReadsThisMachine) {
  const MemorySample s = read_memory_sample();
  EXPECT_GT(s.total_bytes, 0u);
  EXPECT_GT(s.available_bytes, 0u);
  EXPECT_LE(s.available_bytes, s.total_bytes);
  EXPECT_GT(s.process_rss_bytes, 0u);
  if (s.cgroup_current_bytes) {
    EXPECT_FALSE(s.cgroup_dir.empty());
  }
}

// Fresh anonymous pages, touched: they become resident whatever allocator the build uses (a
// sanitizer's allocator may serve a std::vector from memory that is already resident).
TEST(MemorySample, ResidentSetFollowsRealAllocations) {
  constexpr std::size_t k_bytes = 64u << 20;
  const std::uint64_t before = read_memory_sample().process_rss_bytes;
  void* block = ::mmap(nullptr, k_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(block, MAP_FAILED);
  std::memset(block, 1, k_bytes);
  const std::uint64_t during = read_memory_sample().process_rss_bytes;
  ::munmap(block, k_bytes);
  const std::uint64_t after = read_memory_sample().process_rss_bytes;
  EXPECT_GE(during, before + k_bytes / 2) << "before " << before << " during " << during;
  EXPECT_LT(after, during - k_bytes / 2) << "during " << during << " after " << after;
}

}  // namespace
}  // namespace neat
