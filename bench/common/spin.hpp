// The busy-spin kernel of the random_dag workload: keeps one core busy for a wall-clock
// duration (spinning on the steady clock, never sleeping) and returns how long it really took.
//
// Thread-safety: reentrant.
//
//   double took_us = neat::bench::spin_for_us(50.0);   // >= 50
#pragma once

#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace neat::bench {

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

/// Spin until `us` microseconds of wall-clock time have passed; returns the measured duration
/// in microseconds (at least `us`; more when the thread was descheduled past its deadline).
inline double spin_for_us(double us) noexcept {
  using SteadyClock = std::chrono::steady_clock;
  const auto start = SteadyClock::now();
  const auto deadline = start + std::chrono::duration_cast<SteadyClock::duration>(
                                    std::chrono::duration<double, std::micro>(us));
  auto now = start;
  while (now < deadline) {
    cpu_relax();
    now = SteadyClock::now();
  }
  return std::chrono::duration<double, std::micro>(now - start).count();
}

}  // namespace neat::bench
