// neat_bench: every workload (neat, and the oneTBB / OpenMP peers when built) in one binary, so
// ratios come from one run on one machine. Google Benchmark flags apply, plus:
//
//   --workers=1,2,4   worker counts to run each benchmark with (default: 1, 2, then doubling
//                     up to the CPUs this process may use, and that count itself)
//
//   neat_bench --workers=1,2 --benchmark_filter='chain/.*' --benchmark_repetitions=5
#include <benchmark/benchmark.h>
#include <sched.h>
#include <sys/utsname.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "registry.hpp"
#include "timing.hpp"

#ifndef NEAT_BENCH_TBB_INFO
#define NEAT_BENCH_TBB_INFO "not built"
#endif
#ifndef NEAT_BENCH_OPENMP_INFO
#define NEAT_BENCH_OPENMP_INFO "not built"
#endif
#ifndef NEAT_BENCH_COMPILER_INFO
#define NEAT_BENCH_COMPILER_INFO __VERSION__
#endif

namespace {

int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return CPU_COUNT(&set);
  return 1;
}

std::vector<int> default_workers() {
  const int cpus = usable_cpus();
  std::vector<int> w{1, 2};
  for (int n = 4; n < cpus; n *= 2) w.push_back(n);
  if (cpus > 2) w.push_back(cpus);
  return w;
}

// Parses "1,2,4"; exits with a message naming the flag on bad input.
std::vector<int> parse_workers(std::string_view text) {
  std::vector<int> w;
  std::stringstream in{std::string(text)};
  for (std::string item; std::getline(in, item, ',');) {
    char* end = nullptr;
    const long n = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || n < 1 || n > 4096) {
      std::cerr << "neat_bench: --workers: '" << item << "' is not a worker count (1..4096)\n";
      std::exit(2);
    }
    w.push_back(static_cast<int>(n));
  }
  if (w.empty()) {
    std::cerr << "neat_bench: --workers: empty list\n";
    std::exit(2);
  }
  return w;
}

// Removes --workers=... from argv (Google Benchmark rejects flags it does not know).
std::vector<int> take_workers_flag(int& argc, char** argv) {
  std::vector<int> workers = default_workers();
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    constexpr std::string_view flag = "--workers=";
    if (std::string_view(argv[i]).starts_with(flag)) {
      workers = parse_workers(std::string_view(argv[i]).substr(flag.size()));
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
  argv[argc] = nullptr;
  return workers;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("model name")) {
      const auto colon = line.find(':');
      return colon == std::string::npos ? line
                                        : line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "unknown";
}

std::string kernel() {
  utsname u{};
  return uname(&u) == 0 ? std::string(u.sysname) + " " + u.release : "unknown";
}

std::string join(const std::vector<int>& v) {
  std::string s;
  for (int n : v) s += (s.empty() ? "" : ",") + std::to_string(n);
  return s;
}

// The argument as a POSIX shell reads it back: plain when safe, else in single quotes.
std::string shell_quote(std::string_view arg) {
  const bool plain = !arg.empty() && arg.find_first_not_of(
                                         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                         "0123456789_./=:,+-@%") == std::string_view::npos;
  if (plain) return std::string(arg);
  std::string quoted = "'";
  for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

void add_context(int argc, char** argv, const std::vector<int>& workers) {
  std::string command;
  for (int i = 0; i < argc; ++i) command += (i ? " " : "") + shell_quote(argv[i]);
  benchmark::AddCustomContext("command", command);
  benchmark::AddCustomContext("cpu_model", cpu_model());
  benchmark::AddCustomContext("usable_cpus", std::to_string(usable_cpus()));
  benchmark::AddCustomContext("kernel", kernel());
  benchmark::AddCustomContext("workers", join(workers));
  benchmark::AddCustomContext("tbb", NEAT_BENCH_TBB_INFO);
  benchmark::AddCustomContext("openmp", NEAT_BENCH_OPENMP_INFO);
  benchmark::AddCustomContext("compiler", NEAT_BENCH_COMPILER_INFO);
}

}  // namespace

int main(int argc, char** argv) {
  const int original_argc = argc;
  std::vector<char*> original_argv(argv, argv + argc);
  const std::vector<int> workers = take_workers_flag(argc, argv);
  neat::bench::register_all(workers);
  add_context(original_argc, original_argv.data(), workers);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  neat::bench::clear_cache();  // before static destruction: TBB graphs need TBB alive
  return 0;
}
