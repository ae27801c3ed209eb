// `neatsched hw`: the hardware report, its JSON form, the backend choice and its errors.
#include <nlohmann/json.hpp>

#include "cli_test_support.hpp"
#include "neat/resources/hardware_profile.hpp"

namespace neat::cli_test {
namespace {

TEST(CliHw, PrintsTheReport) {
  const Result r = neatsched("hw");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const HardwareProfile here = detect_hardware();
  EXPECT_TRUE(r.out.starts_with("CPU model             " + here.cpu_model + "\n")) << r.out;
  for (const char* part : {"\ntopology ", "\nNUMA node 0 ", "\nusable CPUs ", "\nmemory ",
                           "\ncgroup memory ", "\nfingerprint           "}) {
    EXPECT_TRUE(contains(r.out, part)) << part << " in\n" << r.out;
  }
  // "0 (built without CUDA support)", or what the CUDA runtime said (NEAT_CUDA, cuda_available)
  const std::string gpus = "\nGPUs                  " + std::to_string(here.gpus.size()) + " (" +
                           here.gpu_status + ")\n";
  EXPECT_TRUE(contains(r.out, gpus)) << gpus << " in\n" << r.out;
  EXPECT_TRUE(contains(r.out, here.fingerprint.text() + "\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "(from " + here.topology.source + ")")) << r.out;
}

TEST(CliHw, JsonMatchesTheLibrary) {
  const Result r = neatsched("hw --json --backend sysfs");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  const HardwareProfile here = detect_hardware({.backend = HardwareBackend::sysfs});
  EXPECT_EQ(doc.at("topology").at("source"), "sysfs");
  EXPECT_EQ(doc.at("topology").at("logical_cpus"), here.topology.logical_cpus);
  EXPECT_EQ(doc.at("topology").at("physical_cores"), here.topology.physical_cores);
  EXPECT_EQ(doc.at("cpu_budget").at("usable"), here.cpu_budget.usable);
  EXPECT_EQ(doc.at("fingerprint").at("text"), read_hardware_fingerprint().text());
  EXPECT_EQ(doc.at("gpu_status"), here.gpu_status);
}

TEST(CliHw, HwlocBackendWhenBuiltWithItElseBadUsage) {
  const Result r = neatsched("hw --backend hwloc");
  if (hwloc_available()) {
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "(from hwloc)")) << r.out;
  } else {
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_TRUE(r.err.starts_with("neatsched: hardware backend 'hwloc': ")) << r.err;
  }
}

TEST(CliHw, HelpAndBadOptions) {
  const Result help = neatsched("hw --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* option : {"--json", "--backend", "sysfs"}) {
    EXPECT_TRUE(contains(help.out, option)) << option << " in\n" << help.out;
  }
  EXPECT_TRUE(contains(neatsched("--help").out, "Show the hardware"));
  struct Usage {
    const char* args;
    const char* error;  // the first line of stderr
  };
  for (const Usage& bad : {Usage{"hw --backend proc", "--backend: proc not in {auto,hwloc,sysfs}"},
                           Usage{"hw --backend", "--backend: 1 required"},
                           Usage{"hw extra", "The following argument was not expected: extra"},
                           Usage{"hw --dot", "The following argument was not expected: --dot"}}) {
    const Result r = neatsched(bad.args);
    EXPECT_EQ(std::make_pair(r.exit_code, r.out), std::make_pair(2, std::string())) << bad.args;
    EXPECT_TRUE(r.err.starts_with(std::string("neatsched: ") + bad.error)) << r.err;
  }
}

}  // namespace
}  // namespace neat::cli_test
