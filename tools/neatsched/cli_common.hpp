// Shared pieces of the neatsched commands: exit codes, loading a workload (or the built-in
// one), building its graph, and the errors that mean "bad input" (exit 2).
#pragma once

#include <string>

#include "neat/common/error.hpp"
#include "neat/core/graph.hpp"
#include "neat/workload/workload.hpp"

namespace neat::cli {

/// 0: success; 1: the run failed (an operation threw, a trace could not be written);
/// 2: bad usage or bad input (a malformed workload file, a cycle). Errors go to stderr as
/// "neatsched: <message>".
enum ExitCode : int { k_exit_ok = 0, k_exit_run_failure = 1, k_exit_bad_input = 2 };

/// Bad input found after parsing (e.g. a dependency cycle): exit 2.
class InputError : public Error {
 public:
  using Error::Error;
};

/// load_workload(path), or default_workload() when `path` is empty. Throws WorkloadError.
[[nodiscard]] Workload load_or_default(const std::string& path);

/// instantiate(); a CycleError becomes an InputError "<source>: dependency cycle: a -> b -> a".
[[nodiscard]] BuiltWorkload build(const Workload& workload, OperationDependencyGraph& graph);

/// "neat_default (<built-in>)" or "chain (examples/chain.json)".
[[nodiscard]] std::string describe(const Workload& workload);

}  // namespace neat::cli
