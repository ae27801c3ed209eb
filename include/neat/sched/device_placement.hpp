// DevicePlacer: where an operation that has a version for several devices (a CPU and a GPU
// kernel) should run: on the device where it is predicted to finish first. [sched.placement]
//
//   finish(d) = queue(d) + run(d)
//   queue(d)  = backlog(d) / d.concurrency(), the backlog being the predicted run time of the
//               operations placed on d that have not finished yet (tracked by the placer);
//   run(d)    = profiler.predict_us("<kind>@<label>", footprint), e.g. "gemm@gpu0"; for a CPU
//               device a kind profiled without a device ("gemm") counts too; else the
//               request's cost hint; else unknown.
//
// Candidates are the devices the request's affinity allows (any, cpu, cuda = gpu). Those with
// an unknown run time are left out while another candidate has a known one; when none has,
// the first CPU candidate is chosen (the first candidate if there is no CPU) and adds nothing
// to its backlog. Ties go to the device listed first. Every choice is logged with its reason.
//
// Thread-safety: every member may be called from any thread, concurrently; place() and
// finished() take one mutex for a few map updates (the profiler is asked outside it). Nothing
// blocks except submit()'s work, which runs on a stream.
//
//   neat::CpuDevice cpu(executor);
//   MyGpu gpu(executor);                                   // any neat::Device
//   neat::DevicePlacer placer(profiler, {&cpu, &gpu});
//   neat::Placement p = placer.submit({.kind = "gemm", .footprint = fp},
//                                     [&](neat::Device& d) { d.kind() == neat::DeviceKind::cpu
//                                                                ? gemm_cpu() : gemm_gpu(); });
//   log(p.reason);   // "gpu0: 120.0 us = queue 100.0 + run 20.0 (profile gemm@gpu0) has the
//                    //  earliest predicted finish; cpu0: 150.0 us = queue 0.0 + run 150.0 (...)"
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "neat/common/types.hpp"
#include "neat/core/device.hpp"
#include "neat/sched/performance_profiler.hpp"

namespace neat {

struct PlacementRequest {
  std::string_view kind;              // the profiler's operation kind, not empty
  std::span<const double> footprint;  // as for PerformanceProfiler
  double cost_hint_us = 0.0;          // run time when a device has no profile; 0: none
  DeviceAffinity affinity = DeviceAffinity::any;
};

/// One choice: the device, the predicted times (microseconds from now) and why.
struct Placement {
  std::uint64_t id = 0;
  Device* device = nullptr;
  Stream* stream = nullptr;  // set by submit(): the stream the work went to
  std::string kind;
  Footprint footprint;
  double queue_us = 0.0;
  double run_us = 0.0;  // 0 when unknown
  double finish_us = 0.0;
  /// The chosen device first, then every candidate with its estimate and the estimate's
  /// source, or the fallback that decided.
  std::string reason;
};

/// How many decisions decisions() keeps.
inline constexpr std::size_t k_placement_log_size = 256;

class DevicePlacer {
 public:
  /// Throws neat::Error when `devices` is empty or holds a null or repeated device.
  DevicePlacer(PerformanceProfiler& profiler, std::vector<Device*> devices);
  ~DevicePlacer();
  DevicePlacer(const DevicePlacer&) = delete;
  DevicePlacer& operator=(const DevicePlacer&) = delete;

  /// Choose a device and add the predicted run time to its backlog until finished(). Throws
  /// neat::Error, changing nothing, when the kind is empty, the cost hint is negative or not
  /// finite, the profiler refuses the footprint, or the affinity allows none of the devices.
  [[nodiscard]] Placement place(const PlacementRequest& request);

  /// The placed operation ended: take it off its device's backlog and, when `measured` is
  /// given, record it in the profiler as "<kind>@<label>". Throws neat::Error when the
  /// placement is not outstanding (finished twice, or another placer's).
  void finished(const Placement& placement, std::optional<Microseconds> measured = std::nullopt);

  /// place(), then run `work(device)` on the device's least busy stream; once it has run its
  /// time is recorded and the backlog released (a failure records nothing and fails the
  /// stream, as any stream work). Never blocks. The placer must outlive the work.
  Placement submit(const PlacementRequest& request, std::function<void(Device&)> work);

  /// Predicted work placed on `device` and not finished, in microseconds (0 for a device the
  /// placer does not have).
  [[nodiscard]] double backlog_us(const Device& device) const;
  /// The last k_placement_log_size choices, oldest first.
  [[nodiscard]] std::vector<Placement> decisions() const;

 private:
  struct State;
  PerformanceProfiler& profiler_;
  std::vector<Device*> devices_;
  std::unique_ptr<State> state_;
};

}  // namespace neat
