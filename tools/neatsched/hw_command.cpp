// `neatsched hw [--json] [--backend auto|hwloc|sysfs]`: the HardwareProfile of this machine and
// process, as a readable report or as JSON.
#include <iostream>

#include "cli_common.hpp"
#include "commands.hpp"
#include "neat/resources/hardware_profile.hpp"

namespace neat::cli {

CLI::App* add_hw_command(CLI::App& app, HwOptions& options) {
  CLI::App* hw = app.add_subcommand(
      "hw", "Show the hardware: CPU topology, usable CPUs, memory and cgroup limits, GPUs.");
  hw->add_flag("--json", options.json, "Print the profile as JSON");
  hw->add_option("--backend", options.backend,
                 "Where the CPU topology comes from: auto (hwloc when built with it), hwloc or "
                 "sysfs")
      ->check(CLI::IsMember({"auto", "hwloc", "sysfs"}))
      ->default_str("auto");
  return hw;
}

int hw_command(const HwOptions& options) {
  HardwareProfile profile;
  try {
    profile = detect_hardware({.backend = parse_hardware_backend(options.backend)});
  } catch (const Error& e) {
    throw InputError(e.what());  // a backend this build cannot give: bad usage
  }
  std::cout << (options.json ? hardware_profile_to_json(profile)
                             : format_hardware_profile(profile));
  return k_exit_ok;
}

}  // namespace neat::cli
