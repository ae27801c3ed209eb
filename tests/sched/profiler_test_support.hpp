// Helpers of the PerformanceProfiler tests: deterministic noise and synthetic timings.
#pragma once

#include <cstdint>
#include <numeric>
#include <random>

#include "neat/sched/performance_profiler.hpp"

namespace neat::test {

inline ProfilerOptions profiler_options(std::string hardware = "test-machine") {
  ProfilerOptions o;
  o.hardware = std::move(hardware);
  return o;
}

/// Multiplicative noise, uniform in [1 - amplitude, 1 + amplitude], from a fixed seed.
class Noise {
 public:
  explicit Noise(double amplitude, std::uint32_t seed = 42) : amplitude_(amplitude), gen_(seed) {}
  double operator()() {
    const double u = static_cast<double>(gen_() - std::mt19937::min()) /
                     static_cast<double>(std::mt19937::max() - std::mt19937::min());
    return 1.0 + amplitude_ * (2.0 * u - 1.0);
  }
  /// An integer in [lo, hi].
  double size(int lo, int hi) {
    return lo + static_cast<double>(gen_() % static_cast<std::uint32_t>(hi - lo + 1));
  }

 private:
  double amplitude_;
  std::mt19937 gen_;
};

/// 2·m·n·k flops at `gflops` plus a fixed launch cost, in microseconds.
inline double gemm_us(const Footprint& f, double gflops = 20.0, double launch_us = 5.0) {
  return launch_us + 2.0 * f[0] * f[1] * f[2] / (gflops * 1e3);
}

inline double relative_error(double predicted, double measured) {
  return std::abs(predicted - measured) / measured;
}

}  // namespace neat::test
