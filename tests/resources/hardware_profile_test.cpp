// detect_hardware(): the two backends agree on this machine, the fingerprint derives from the
// profile, bad backend choices are refused, and the JSON and text reports carry the fields.
#include "neat/resources/hardware_profile.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "neat/common/error.hpp"

namespace neat {
namespace {

using nlohmann::json;

TEST(HardwareProfile, HwlocAndSysfsAgreeOnThisMachine) {
  if (!hwloc_available()) GTEST_SKIP() << "built without hwloc: nothing to compare sysfs with";
  const CpuTopology hw = detect_hardware({.backend = HardwareBackend::hwloc}).topology;
  const CpuTopology fs = detect_hardware({.backend = HardwareBackend::sysfs}).topology;
  EXPECT_EQ(hw.source, "hwloc");
  EXPECT_EQ(fs.source, "sysfs");
  EXPECT_EQ(hw.logical_cpus, fs.logical_cpus);
  EXPECT_EQ(hw.physical_cores, fs.physical_cores);
  EXPECT_EQ(hw.packages, fs.packages);
  EXPECT_EQ(hw.numa_nodes, fs.numa_nodes);  // indexes, CPUs and memory
  EXPECT_EQ(hw.caches, fs.caches);          // per level and type: size, line, sharing, count
  EXPECT_FALSE(fs.caches.empty());
}

TEST(HardwareProfile, DescribesThisMachine) {
  const HardwareProfile p = detect_hardware();
  EXPECT_EQ(p.topology.source, hwloc_available() ? "hwloc" : "sysfs");
  const CpuTopology& t = p.topology;
  EXPECT_GE(t.logical_cpus, p.cpu_budget.usable);
  EXPECT_EQ(t.logical_cpus, p.cpu_budget.online);
  EXPECT_GE(t.logical_cpus, t.physical_cores);
  EXPECT_GE(t.physical_cores, t.packages);
  EXPECT_GE(t.packages, 1u);
  ASSERT_FALSE(t.numa_nodes.empty());
  std::size_t node_cpus = 0;
  for (const NumaNode& node : t.numa_nodes) node_cpus += node.cpus.size();
  EXPECT_EQ(node_cpus, t.logical_cpus);
  EXPECT_GT(p.memory.total_bytes, 0u);
  EXPECT_FALSE(p.cpu_model.empty());
}

TEST(HardwareProfile, NoGpusWithoutCuda) {
  const HardwareProfile p = detect_hardware({.backend = HardwareBackend::sysfs});
  if (cuda_available()) {  // the runtime is asked: tests/resources/cuda_loader_test.cpp
    EXPECT_EQ(p.gpus.empty(), p.gpu_status != "ok") << p.gpu_status;
    return;
  }
  EXPECT_TRUE(p.gpus.empty());
  EXPECT_EQ(p.gpu_status, "built without CUDA support");
}

TEST(HardwareProfile, FingerprintDerivesFromTheProfile) {
  for (const HardwareBackend backend : {HardwareBackend::automatic, HardwareBackend::sysfs}) {
    const HardwareProfile p = detect_hardware({.backend = backend});
    EXPECT_EQ(fingerprint_of(p), read_hardware_fingerprint());
    EXPECT_EQ(p.fingerprint, read_hardware_fingerprint());
  }
  HardwareProfile made;
  made.cpu_model = "Some CPU";
  made.cpu_budget.usable = 3;
  made.memory.total_bytes = std::uint64_t{5} << 30;
  EXPECT_EQ(fingerprint_of(made).text(), "cpu=Some CPU;cpus=3;mem_gib=5");
}

TEST(HardwareProfile, HwlocWhenAskedOrAnErrorNamingTheProblem) {
  if (hwloc_available()) {
    EXPECT_EQ(detect_hardware({.backend = HardwareBackend::hwloc}).topology.source, "hwloc");
    return;
  }
  try {
    (void)detect_hardware({.backend = HardwareBackend::hwloc});
    FAIL() << "expected neat::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("hardware backend 'hwloc'"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("built without hwloc"), std::string::npos) << e.what();
  }
}

TEST(HardwareBackendName, ParsesTheThreeNamesAndRefusesOthers) {
  EXPECT_EQ(parse_hardware_backend("auto"), HardwareBackend::automatic);
  EXPECT_EQ(parse_hardware_backend("hwloc"), HardwareBackend::hwloc);
  EXPECT_EQ(parse_hardware_backend("sysfs"), HardwareBackend::sysfs);
  for (const char* bad : {"", "HWLOC", "proc"}) {
    try {
      (void)parse_hardware_backend(bad);
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()),
                "hardware backend '" + std::string(bad) + "': unknown (use auto, hwloc or sysfs)");
    }
  }
}

TEST(HardwareProfile, JsonHasEveryFieldWithItsValue) {
  const HardwareProfile p = detect_hardware();
  const json doc = json::parse(hardware_profile_to_json(p));
  EXPECT_EQ(doc.at("cpu_model"), p.cpu_model);
  const json& t = doc.at("topology");
  EXPECT_EQ(t.at("source"), p.topology.source);
  EXPECT_EQ(t.at("logical_cpus"), p.topology.logical_cpus);
  EXPECT_EQ(t.at("physical_cores"), p.topology.physical_cores);
  EXPECT_EQ(t.at("packages"), p.topology.packages);
  ASSERT_EQ(t.at("numa_nodes").size(), p.topology.numa_nodes.size());
  EXPECT_EQ(t.at("numa_nodes")[0].at("cpus").get<std::vector<unsigned>>(),
            p.topology.numa_nodes[0].cpus);
  EXPECT_TRUE(t.at("numa_nodes")[0].contains("cpu_list"));
  EXPECT_TRUE(t.at("numa_nodes")[0].contains("memory_bytes"));
  ASSERT_EQ(t.at("caches").size(), p.topology.caches.size());
  for (std::size_t i = 0; i < p.topology.caches.size(); ++i) {
    const json& c = t.at("caches")[i];
    const CacheInfo& want = p.topology.caches[i];
    EXPECT_EQ((CacheInfo{c.at("level"), c.at("type"), c.at("size_bytes"), c.at("line_bytes"),
                         c.at("shared_by"), c.at("count")}),
              want);
  }
  EXPECT_EQ(doc.at("cpu_budget").at("usable"), p.cpu_budget.usable);
  for (const char* key : {"online", "affinity", "quota", "source"}) {
    EXPECT_TRUE(doc.at("cpu_budget").contains(key)) << key;
  }
  EXPECT_EQ(doc.at("memory").at("total_bytes"), p.memory.total_bytes);
  for (const char* key : {"available_bytes", "process_rss_bytes", "cgroup_limit_bytes",
                          "cgroup_current_bytes", "cgroup_dir", "headroom_bytes"}) {
    EXPECT_TRUE(doc.at("memory").contains(key)) << key;
  }
  EXPECT_EQ(doc.at("gpus"), json::array());
  EXPECT_EQ(doc.at("gpu_status"), p.gpu_status);
  EXPECT_EQ(doc.at("fingerprint").at("text"), p.fingerprint.text());
  EXPECT_EQ(doc.at("fingerprint").at("logical_cpus"), p.fingerprint.logical_cpus);
}

// A made-up profile exercises every optional part of both reports.
HardwareProfile made_up_profile() {
  HardwareProfile p;
  p.cpu_model = "Made Up CPU";
  p.topology = {"sysfs",
                4,
                2,
                1,
                {{0, {0, 1, 2, 3}, std::uint64_t{3} << 30}, {1, {}, std::nullopt}},
                {{1, "data", 48 << 10, 64, 2, 2}, {3, "unified", 480u << 20, 64, 4, 1}}};
  p.cpu_budget = {4, 3, 1.5, 2, "sched_getaffinity + /x/cpu.max"};
  p.memory.total_bytes = 8550400000;
  p.memory.available_bytes = 512;
  p.memory.cgroup_limit_bytes = std::uint64_t{1} << 30;
  p.memory.cgroup_dir = "/sys/fs/cgroup/x";
  p.gpus = {{0, "Made Up GPU", std::uint64_t{80} << 30, std::uint64_t{79} << 30}};
  p.gpu_status = "ok";
  p.fingerprint = fingerprint_of(p);
  return p;
}

TEST(HardwareReport, TextNamesEveryPart) {
  const std::string text = format_hardware_profile(made_up_profile());
  for (const char* part :
       {"CPU model             Made Up CPU\n",
        "topology              1 package, 2 cores, 4 logical CPUs (from sysfs)\n",
        "NUMA node 0           CPUs 0-3, memory 3 GiB\n",
        "NUMA node 1           CPUs , memory unknown\n",
        "L1 data cache         2 x 48 KiB, 64 B lines, shared by 2 CPUs\n",
        "L3 unified cache      1 x 480 MiB, 64 B lines, shared by 4 CPUs\n",
        "usable CPUs           2 (online 4, affinity 3, cgroup quota 1.50; sched_getaffinity + "
        "/x/cpu.max)\n",
        "memory                total 7.96 GiB, available 512 B, headroom 512 B, process RSS 0 B\n",
        "cgroup memory         limit 1 GiB, current unknown (/sys/fs/cgroup/x)\n",
        "GPUs                  1 (ok)\n",
        "GPU 0                 Made Up GPU, memory 80 GiB (79 GiB free)\n",
        "fingerprint           cpu=Made Up CPU;cpus=2;mem_gib=8\n"}) {
    EXPECT_NE(text.find(part), std::string::npos) << part << "\nin:\n" << text;
  }
}

TEST(HardwareReport, TextWithoutCgroupOrQuota) {
  HardwareProfile p = made_up_profile();
  p.cpu_budget.quota.reset();
  p.memory = {};
  p.topology.packages = 2;
  const std::string text = format_hardware_profile(p);
  EXPECT_NE(text.find("2 packages, 2 cores"), std::string::npos) << text;
  EXPECT_NE(text.find("affinity 3, no cgroup quota;"), std::string::npos) << text;
  EXPECT_NE(text.find("cgroup memory         none\n"), std::string::npos) << text;
}

TEST(HardwareReport, JsonOfOptionalParts) {
  const json doc = json::parse(hardware_profile_to_json(made_up_profile()));
  EXPECT_EQ(doc.at("topology").at("numa_nodes")[1].at("memory_bytes"), nullptr);
  EXPECT_EQ(doc.at("topology").at("numa_nodes")[0].at("cpu_list"), "0-3");
  EXPECT_EQ(doc.at("cpu_budget").at("quota"), 1.5);
  EXPECT_EQ(doc.at("memory").at("cgroup_limit_bytes"), std::uint64_t{1} << 30);
  EXPECT_EQ(doc.at("memory").at("cgroup_current_bytes"), nullptr);
  EXPECT_EQ(doc.at("gpus")[0].at("name"), "Made Up GPU");
  EXPECT_EQ(doc.at("gpus")[0].at("total_bytes"), std::uint64_t{80} << 30);
  EXPECT_EQ(doc.at("gpus")[0].at("free_bytes"), std::uint64_t{79} << 30);
  EXPECT_EQ(doc.at("gpus")[0].at("index"), 0);
}

}  // namespace
}  // namespace neat
