// The neatsched commands. Each registers its options on the CLI11 app and runs once parsed;
// each returns an exit code (cli_common.hpp) or throws, and main() maps errors to exit codes.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <string>

namespace neat::cli {

struct RunOptions {
  std::string workload;     // empty: the built-in default workload
  std::size_t workers = 0;  // 0: one per usable CPU
  bool sequential = false;
  bool baseline = false;
  bool json = false;
  std::string trace;  // empty: no trace
  std::size_t repeat = 1;
  std::string profile;  // empty: no profiling
  bool scheduler = false;  // through the ExecutionScheduler (also chosen when the file needs it)
  bool no_batching = false;  // request streams: every request its own batch (max_batch 1)
};

struct GraphOptions {
  std::string workload;
  bool dot = false;
};

struct HwOptions {
  bool json = false;
  std::string backend = "auto";  // auto, hwloc or sysfs
};

CLI::App* add_run_command(CLI::App& app, RunOptions& options);
int run_command(const RunOptions& options);

CLI::App* add_graph_command(CLI::App& app, GraphOptions& options);
int graph_command(const GraphOptions& options);

CLI::App* add_hw_command(CLI::App& app, HwOptions& options);
int hw_command(const HwOptions& options);

}  // namespace neat::cli
