// neatsched: run workload files on the neatsched executor, compare with the sequential
// baseline, export graphs and traces. `neatsched --help` lists the commands.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli_common.hpp"
#include "commands.hpp"

namespace {

int fail(const std::exception& e, int code) {
  std::cerr << "neatsched: " << e.what() << '\n';
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace neat::cli;
  CLI::App app{"neatsched: run multi-component workloads on the neatsched scheduler.", "neatsched"};
  app.set_version_flag("--version", "neatsched " NEAT_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Workload files: docs/workload-format.md. Run 'neatsched COMMAND --help' for a "
      "command's options.");
  RunOptions run;
  GraphOptions graph;
  CLI::App* run_app = add_run_command(app, run);
  add_graph_command(app, graph);
  HwOptions hw;
  CLI::App* hw_app = add_hw_command(app, hw);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << "neatsched: " << e.what() << "\nRun 'neatsched --help' for usage.\n";
    return k_exit_bad_input;
  }
  try {
    if (hw_app->parsed()) return hw_command(hw);
    return run_app->parsed() ? run_command(run) : graph_command(graph);
  } catch (const neat::WorkloadError& e) {
    return fail(e, k_exit_bad_input);
  } catch (const InputError& e) {
    return fail(e, k_exit_bad_input);
  } catch (const std::exception& e) {
    return fail(e, k_exit_run_failure);
  }
}
