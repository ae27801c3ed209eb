// The sysfs backend: its text formats on literal strings, and whole fake /sys trees.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "resources/hardware_backends.hpp"

namespace neat {
namespace {

using detail::format_cpu_list;
using detail::parse_cache_size;
using detail::parse_cpu_list;
using Cpus = std::vector<unsigned>;

TEST(CpuList, ParsesRangesAndSingles) {
  EXPECT_EQ(parse_cpu_list("0-3,8,10-11\n"), (Cpus{0, 1, 2, 3, 8, 10, 11}));
  EXPECT_EQ(parse_cpu_list("5"), (Cpus{5}));
  EXPECT_EQ(parse_cpu_list("2-2"), (Cpus{2}));
  EXPECT_EQ(parse_cpu_list("8,0-1,1"), (Cpus{0, 1, 8}));  // sorted, without repeats
  EXPECT_EQ(parse_cpu_list(""), Cpus{});                  // a memory-only NUMA node
  EXPECT_EQ(parse_cpu_list("\n"), Cpus{});
}

TEST(CpuList, RefusesMalformedText) {
  for (const char* bad :
       {"3-1", "a", "1,,2", "1,", ",1", "-1", "1-", "1-2-3", "0x1", "1 2", "70000", "0-70000"}) {
    EXPECT_FALSE(parse_cpu_list(bad).has_value()) << bad;
  }
}

TEST(CpuList, FormatsAsRangesAndRoundTrips) {
  EXPECT_EQ(format_cpu_list({0, 1, 2, 3, 8, 10, 11}), "0-3,8,10-11");
  EXPECT_EQ(format_cpu_list({}), "");
  EXPECT_EQ(format_cpu_list({7}), "7");
  for (const char* text : {"0-3,8,10-11", "0,2,4", "0-63", "1"}) {
    EXPECT_EQ(format_cpu_list(*parse_cpu_list(text)), text);
  }
}

TEST(CacheSize, ParsesSuffixes) {
  EXPECT_EQ(parse_cache_size("32K"), 32u * 1024);
  EXPECT_EQ(parse_cache_size("1024K\n"), 1024u * 1024);
  EXPECT_EQ(parse_cache_size("8M"), 8u << 20);
  EXPECT_EQ(parse_cache_size("1G"), std::uint64_t{1} << 30);
  EXPECT_EQ(parse_cache_size("48k"), 48u * 1024);
  EXPECT_EQ(parse_cache_size("512"), 512u);
  for (const char* bad : {"", "K", "12Q", "-1K", "1.5M", "M8", " "}) {
    EXPECT_FALSE(parse_cache_size(bad).has_value()) << bad;
  }
}

TEST(Caches, SummarizeGroupsIdenticalInstances) {
  const std::vector<CacheInfo> instances = {
      {3, "unified", 8 << 20, 64, 4, 1}, {1, "data", 32768, 64, 2, 1},
      {1, "data", 32768, 64, 2, 1},      {1, "instruction", 32768, 64, 2, 1},
      {3, "unified", 8 << 20, 64, 4, 1}, {3, "unified", 4 << 20, 64, 4, 1}};
  const std::vector<CacheInfo> kinds = detail::summarize_caches(instances);
  const std::vector<CacheInfo> expected = {{1, "data", 32768, 64, 2, 2},
                                           {1, "instruction", 32768, 64, 2, 1},
                                           {3, "unified", 4 << 20, 64, 4, 1},
                                           {3, "unified", 8 << 20, 64, 4, 2}};
  EXPECT_EQ(kinds, expected);
}

// A fake /sys/devices/system under a scratch directory.
class FakeSysfs : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = std::filesystem::temp_directory_path() /
            ("neat_sysfs_" + std::to_string(::getpid()) + "_" + info->name());
    std::filesystem::remove_all(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  void write(const std::string& path, const std::string& text) {
    const auto file = root_ / path;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
  }
  void cache(unsigned cpu, int index, const std::string& level, const std::string& type,
             const std::string& size, const std::string& shared) {
    const std::string dir =
        "cpu/cpu" + std::to_string(cpu) + "/cache/index" + std::to_string(index);
    write(dir + "/level", level + "\n");
    write(dir + "/type", type + "\n");
    write(dir + "/size", size + "\n");
    write(dir + "/coherency_line_size", "64\n");
    write(dir + "/shared_cpu_list", shared + "\n");
  }
  [[nodiscard]] CpuTopology read() const { return detail::read_sysfs_topology(root_.string()); }

  std::filesystem::path root_;
};

// "a,b": the CPU list of a pair of siblings.
std::string sibling_list(unsigned a, unsigned b) {
  return std::to_string(a) + "," + std::to_string(b);
}

// Two packages of two cores with two threads each; CPUs 4-7 on NUMA node 1. CPUs i and i+2
// are siblings (the usual Linux numbering).
TEST_F(FakeSysfs, TwoPackagesWithSmtAndTwoNodes) {
  write("cpu/online", "0-7\n");
  for (unsigned cpu = 0; cpu < 8; ++cpu) {
    const std::string dir = "cpu/cpu" + std::to_string(cpu) + "/topology/";
    const unsigned package = cpu / 4;
    const unsigned core = cpu % 2;
    const unsigned first = package * 4 + core;
    write(dir + "physical_package_id", std::to_string(package));
    write(dir + "core_id", std::to_string(core));
    write(dir + "thread_siblings_list", sibling_list(first, first + 2));
    cache(cpu, 0, "1", "Data", "32K", sibling_list(first, first + 2));
    cache(cpu, 1, "1", "Instruction", "32K", sibling_list(first, first + 2));
    cache(cpu, 2, "3", "Unified", "16384K", package == 0 ? "0-3" : "4-7");
  }
  write("node/node0/cpulist", "0-3\n");
  write("node/node0/meminfo", "Node 0 MemTotal:       1024 kB\nNode 0 MemFree: 1 kB\n");
  write("node/node1/cpulist", "4-7\n");
  write("node/node1/meminfo", "Node 1 MemFree: 1 kB\n");
  write("node/possible", "0-1\n");
  const CpuTopology t = read();
  EXPECT_EQ(t.source, "sysfs");
  EXPECT_EQ(t.logical_cpus, 8u);
  EXPECT_EQ(t.physical_cores, 4u);
  EXPECT_EQ(t.packages, 2u);
  ASSERT_EQ(t.numa_nodes.size(), 2u);
  EXPECT_EQ(t.numa_nodes[0], (NumaNode{0, {0, 1, 2, 3}, 1024u * 1024}));
  EXPECT_EQ(t.numa_nodes[1], (NumaNode{1, {4, 5, 6, 7}, std::nullopt}));
  const std::vector<CacheInfo> expected = {{1, "data", 32768, 64, 2, 4},
                                           {1, "instruction", 32768, 64, 2, 4},
                                           {3, "unified", 16u << 20, 64, 4, 2}};
  EXPECT_EQ(t.caches, expected);
}

// Old kernels and containers: only core_id, or nothing at all.
TEST_F(FakeSysfs, FallsBackWhenFilesAreMissing) {
  write("cpu/online", "0-2\n");
  write("cpu/cpu0/topology/core_id", "0");
  write("cpu/cpu1/topology/core_id", "0");    // same core as CPU 0 (package 0 by default)
  write("cpu/cpu0/cache/index0/level", "2");  // nothing else known of this cache
  const CpuTopology t = read();
  EXPECT_EQ(t.logical_cpus, 3u);
  EXPECT_EQ(t.physical_cores, 2u);  // {0,1} by core_id, 2 on its own
  EXPECT_EQ(t.packages, 1u);
  ASSERT_EQ(t.numa_nodes.size(), 1u);
  EXPECT_EQ(t.numa_nodes[0], (NumaNode{0, {0, 1, 2}, std::nullopt}));
  const std::vector<CacheInfo> expected = {{2, "unified", 0, 0, 1, 1}};
  EXPECT_EQ(t.caches, expected);
}

TEST_F(FakeSysfs, WithoutAnOnlineListCountsTheHardwareThreads) {
  write("node/nodeX/cpulist", "0\n");  // not a node directory: ignored
  const CpuTopology t = read();
  const std::size_t threads = std::max(1u, std::thread::hardware_concurrency());
  EXPECT_EQ(t.logical_cpus, threads);
  EXPECT_EQ(t.physical_cores, threads);
  ASSERT_EQ(t.numa_nodes.size(), 1u);
  EXPECT_EQ(t.numa_nodes[0].cpus.size(), threads);
  EXPECT_TRUE(t.caches.empty());
}

TEST_F(FakeSysfs, AMalformedOnlineListCountsTheHardwareThreads) {
  write("cpu/online", "garbage\n");
  EXPECT_EQ(read().logical_cpus, std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace
}  // namespace neat
