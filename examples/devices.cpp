// Devices, streams and events on the CPU, and placement by earliest predicted finish
// (docs/user-guide.md#devices). Runs as a test: exits non-zero if anything is off.
#include <chrono>
#include <cstdio>
#include <future>
#include <vector>

#include "neat/core/cpu_device.hpp"
#include "neat/core/executor.hpp"
#include "neat/sched/device_placement.hpp"

int main() {
  neat::ParallelExecutor executor;
  neat::CpuDevice cpu(executor, {.streams = 2});

  // Stream 0 produces, stream 1 consumes after an event: an edge between two streams.
  std::vector<int> data;
  long sum = 0;
  neat::Event produced(executor);
  cpu.stream(0).submit([&] { data.assign(1000, 2); });
  cpu.stream(0).record(produced);
  cpu.stream(1).wait(produced);  // stream 1 holds no worker while it waits
  cpu.stream(1).submit([&] {
    for (int v : data) sum += v;
  });
  std::promise<void> told;
  produced.then([&] { told.set_value(); });  // runs on a worker
  cpu.synchronize();                         // rethrows the first failure, if any

  // Placement: the profiler knows the kind on cpu0; the placer picks the earliest finish.
  neat::PerformanceProfiler profiler({.hardware = "example"});
  profiler.record("scale@cpu0", {1000}, neat::Microseconds(50));
  neat::DevicePlacer placer(profiler, {&cpu});
  const neat::Footprint size{1000};
  const neat::Placement p =
      placer.submit({.kind = "scale", .footprint = size}, [&](neat::Device&) { sum *= 2; });
  p.stream->synchronize();
  std::printf("sum %ld on %s: %s\n", sum, p.device->label().c_str(), p.reason.c_str());
  const bool callback_ran =
      told.get_future().wait_for(std::chrono::seconds(60)) == std::future_status::ready;
  return sum == 4000 && callback_ran ? 0 : 1;
}
