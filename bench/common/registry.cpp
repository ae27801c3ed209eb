#include "registry.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

namespace neat::bench {
namespace {

std::vector<BenchEntry>& mutable_entries() {
  static std::vector<BenchEntry> list;  // function-local: safe during static initialisation
  return list;
}

constexpr std::array<std::string_view, 6> k_workload_order = {
    "independent", "chain", "fork_join", "wavefront", "random_dag", "build"};
constexpr std::array<std::string_view, 4> k_impl_order = {"neat", "neat_reserve", "tbb", "omp"};

template <std::size_t N>
std::size_t rank(const std::array<std::string_view, N>& order, std::string_view name) {
  const auto it = std::find(order.begin(), order.end(), name);
  return static_cast<std::size_t>(it - order.begin());
}

}  // namespace

int register_bench(std::string workload, std::string impl, BenchFunction function,
                   bool takes_workers) {
  mutable_entries().push_back({std::move(workload), std::move(impl), function, takes_workers});
  return 0;
}

void register_all(const std::vector<int>& workers) {
  std::vector<BenchEntry> sorted = mutable_entries();
  std::stable_sort(sorted.begin(), sorted.end(), [](const BenchEntry& a, const BenchEntry& b) {
    const auto key_a = std::pair(rank(k_workload_order, a.workload), rank(k_impl_order, a.impl));
    const auto key_b = std::pair(rank(k_workload_order, b.workload), rank(k_impl_order, b.impl));
    return key_a != key_b ? key_a < key_b : a.workload + a.impl < b.workload + b.impl;
  });
  for (const BenchEntry& entry : sorted) {
    auto* b =
        benchmark::RegisterBenchmark((entry.workload + "/" + entry.impl).c_str(), entry.function);
    // Every benchmark times itself (SetIterationTime) around exactly the part it measures; the
    // CPU column is the whole process's CPU time (all threads), which shows idle spinning.
    b->UseManualTime()->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);
    if (entry.takes_workers) {
      b->ArgName("workers");
      for (int w : workers) b->Arg(w);
    }
  }
}

}  // namespace neat::bench
