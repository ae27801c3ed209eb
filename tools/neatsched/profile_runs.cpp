#include "profile_runs.hpp"

#include <fmt/format.h>

#include <ostream>
#include <unordered_map>
#include <vector>

#include "cli_common.hpp"
#include "neat/common/error.hpp"

namespace neat::cli {
namespace {

// The profiler's kind and footprint of a kernel; false for kernels not worth predicting.
bool describe(const KernelSpec& kernel, std::string& kind, std::vector<double>& footprint) {
  kind = std::string(to_string(kernel.type));
  switch (kernel.type) {
    case KernelType::gemm:
      footprint = {static_cast<double>(kernel.m), static_cast<double>(kernel.n),
                   static_cast<double>(kernel.k)};
      return true;
    case KernelType::spin:
    case KernelType::sleep:
      footprint = {kernel.us};
      return kernel.us > 0.0;
    default:
      return false;
  }
}

}  // namespace

std::unique_ptr<PerformanceProfiler> open_profile(const std::string& path, std::ostream& out) {
  auto profiler = std::make_unique<PerformanceProfiler>();
  try {
    const LoadStatus status = profiler->load(path);
    out << "profile: " << status.message << '\n';
  } catch (const Error& e) {
    throw InputError(e.what());
  }
  return profiler;
}

void record_profile(PerformanceProfiler& profiler, const Workload& workload,
                    const BuiltWorkload& built, const RunMetrics& metrics,
                    const std::string& path, std::ostream& out) {
  std::unordered_map<std::uint32_t, std::size_t> spec_of;  // graph operation -> workload index
  for (std::size_t i = 0; i < built.operations.size(); ++i) spec_of[built.operations[i].index] = i;
  std::string kind;
  std::vector<double> footprint;
  std::size_t recorded = 0;
  for (const OperationMetrics& op : metrics.operations) {
    const auto spec = spec_of.find(op.operation);
    if (op.status != OpStatus::completed || !op.run_us || spec == spec_of.end()) continue;
    if (!describe(workload.operations[spec->second].kernel, kind, footprint)) continue;
    profiler.record(kind, footprint, Microseconds(*op.run_us));
    ++recorded;
  }
  out << fmt::format("profile: recorded {} operation runs\n", recorded);
  out << format_profiler_report(profiler.report());
  profiler.save(path);
  out << fmt::format("profile saved to {}\n", path);
}

}  // namespace neat::cli
