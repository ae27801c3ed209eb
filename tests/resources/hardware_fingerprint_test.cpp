#include "neat/resources/hardware_fingerprint.hpp"

#include <gtest/gtest.h>

#include "neat/resources/cpu_budget.hpp"

namespace neat {
namespace {

TEST(HardwareFingerprint, IsStableAcrossCalls) {
  const HardwareFingerprint first = read_hardware_fingerprint();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(read_hardware_fingerprint(), first);
    EXPECT_EQ(read_hardware_fingerprint().text(), first.text());
  }
}

TEST(HardwareFingerprint, ContainsTheUsableCpuCount) {
  const HardwareFingerprint hw = read_hardware_fingerprint();
  const std::size_t cpus = read_cpu_budget().usable;
  EXPECT_EQ(hw.logical_cpus, cpus);
  EXPECT_NE(hw.text().find(";cpus=" + std::to_string(cpus) + ";"), std::string::npos) << hw.text();
  EXPECT_FALSE(hw.cpu_model.empty());
  EXPECT_GT(hw.memory_gib, 0u);  // every Linux machine this runs on has /proc/meminfo
}

TEST(HardwareFingerprint, TextJoinsTheThreeParts) {
  const HardwareFingerprint hw{"Some CPU", 4, 16};
  EXPECT_EQ(hw.text(), "cpu=Some CPU;cpus=4;mem_gib=16");
}

TEST(CpuModel, ReadsTheFirstModelNameWithWhitespaceCollapsed) {
  const std::string cpuinfo =
      "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t:  Intel(R)   Xeon(R)  Gold \n"
      "processor\t: 1\nmodel name\t: Other\n";
  EXPECT_EQ(parse_cpu_model(cpuinfo), "Intel(R) Xeon(R) Gold");
}

TEST(CpuModel, FallsBackToOtherFieldsThenUnknown) {
  EXPECT_EQ(parse_cpu_model("processor : 0\nHardware : BCM2835\n"), "BCM2835");
  EXPECT_EQ(parse_cpu_model("cpu model : MIPS 24Kc V7.4\n"), "MIPS 24Kc V7.4");
  EXPECT_EQ(parse_cpu_model("Processor : AArch64 Processor rev 4\n"), "AArch64 Processor rev 4");
  EXPECT_EQ(parse_cpu_model("model name :   \nno colon here\n"), "unknown");
  EXPECT_EQ(parse_cpu_model(""), "unknown");
}

TEST(MemTotal, ParsesKibAndBytes) {
  EXPECT_EQ(parse_mem_total_bytes("MemFree: 1 kB\nMemTotal:       24684084 kB\n"),
            std::uint64_t{24684084} * 1024);
  EXPECT_EQ(parse_mem_total_bytes("MemTotal: 2048"), 2048u);
  EXPECT_EQ(parse_mem_total_bytes("MemTotal: 2048 B"), 2048u);
  EXPECT_FALSE(parse_mem_total_bytes("MemTotal: lots kB").has_value());
  EXPECT_FALSE(parse_mem_total_bytes("MemTotal: 12 MB").has_value());
  EXPECT_FALSE(parse_mem_total_bytes("MemFree: 12 kB").has_value());
}

TEST(MemTotal, RoundsToTheNearestGib) {
  EXPECT_EQ(round_to_gib(std::uint64_t{24684084} * 1024), 24u);  // 23.54 GiB
  EXPECT_EQ(round_to_gib((std::uint64_t{3} << 30) / 2), 2u);     // 1.5 GiB rounds up
  EXPECT_EQ(round_to_gib((std::uint64_t{1} << 29) - 1), 0u);
  EXPECT_EQ(round_to_gib(0), 0u);
}

}  // namespace
}  // namespace neat
