// Kernels: calibrated spin, sleep, gemm buffers and binding. The Eigen product itself lives in
// gemm_product.cpp. [workload.spin]
#include "neat/workload/kernels.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <thread>

namespace neat {

std::string_view to_string(KernelType type) noexcept {
  switch (type) {
    case KernelType::spin:
      return "spin";
    case KernelType::gemm:
      return "gemm";
    case KernelType::sleep:
      return "sleep";
    case KernelType::fail:
      break;
  }
  return "fail";
}

std::string_view to_string(SpinMode mode) noexcept {
  return mode == SpinMode::work ? "work" : "deadline";
}

std::optional<KernelType> parse_kernel_type(std::string_view text) noexcept {
  if (text == "spin") return KernelType::spin;
  if (text == "gemm") return KernelType::gemm;
  if (text == "sleep") return KernelType::sleep;
  if (text == "fail") return KernelType::fail;
  return std::nullopt;
}

std::optional<SpinMode> parse_spin_mode(std::string_view text) noexcept {
  if (text == "work") return SpinMode::work;
  if (text == "deadline") return SpinMode::deadline;
  return std::nullopt;
}

namespace kernels {
namespace {

using SteadyClock = std::chrono::steady_clock;

// The spin loop starts from a value the compiler cannot know and publishes its result, so that
// an optimising build can neither fold the loop into a constant nor delete it as unused.
// Relaxed: only the side effect matters, not any ordering.
std::atomic<double> g_spin_seed{0.5};
std::atomic<double> g_spin_sink{0.0};

double publish(double x) {
  g_spin_sink.store(x, std::memory_order_relaxed);
  return x;
}

// A dependent multiply-add chain: each step needs the previous one, so it cannot be vectorised
// or removed, and it converges to 1 without ever producing denormals.
double spin_iterations(std::uint64_t iterations, double x) {
  for (std::uint64_t i = 0; i < iterations; ++i) x = x * 0.999999 + 1e-6;
  return x;
}

double elapsed_us(SteadyClock::time_point since) {
  return std::chrono::duration<double, std::micro>(SteadyClock::now() - since).count();
}

// Time `iterations` of the spin. The seed is read from an atomic *after* the start time is
// taken: a pure computation on a value known earlier may legally be moved out of the timed
// region (clang did, measuring ~0 µs and calibrating spin() to run for ever).
double time_spin_us(std::uint64_t iterations) {
  const auto start = SteadyClock::now();
  publish(spin_iterations(iterations, g_spin_seed.load(std::memory_order_relaxed)));
  return elapsed_us(start);
}

// Iterations per µs: size one trial to ~0.5 ms, then keep the fastest of ten trials (a trial
// that was preempted is slower, never faster).
double measure_spin_rate() {
  std::uint64_t chunk = 1u << 14;
  const double first_us = std::max(time_spin_us(chunk), 1.0);
  chunk = std::max<std::uint64_t>(chunk, static_cast<std::uint64_t>(chunk * 500.0 / first_us));
  double best = 0.0;
  for (int trial = 0; trial < 10; ++trial) {
    best = std::max(best, static_cast<double>(chunk) / std::max(time_spin_us(chunk), 1e-3));
  }
  return best;
}

double measure_gemm_rate() {
  GemmKernel gemm(128, 128, 128);
  gemm.run();  // warm the caches and the code
  double best_us = 0.0;
  for (int trial = 0; trial < 5; ++trial) {
    const auto start = SteadyClock::now();
    gemm.run();
    const double us = std::max(elapsed_us(start), 1e-3);
    best_us = trial == 0 ? us : std::min(best_us, us);
  }
  return gemm.flops() / best_us;
}

// Fixed pseudo-random values in [-1, 1): the same matrices every run, no <random> state.
void fill(std::vector<float>& values, std::uint32_t seed) {
  std::uint32_t state = seed * 2654435761u + 1u;
  for (float& v : values) {
    state = state * 1664525u + 1013904223u;
    v = static_cast<float>(state >> 8) / static_cast<float>(1u << 23) - 1.0f;
  }
}

}  // namespace

double spin_iterations_per_us() {
  static const double rate = measure_spin_rate();
  return rate;
}

double spin(double us, SpinMode mode) {
  if (!(us > 0.0)) return 0.0;
  const double rate = spin_iterations_per_us();
  double x = g_spin_seed.load(std::memory_order_relaxed);
  if (mode == SpinMode::work) {
    // The calibrated amount of work, in chunks; it never runs past twice the requested time,
    // so a calibration gone wrong (seen once under clang with ThreadSanitizer) cannot make a
    // spin run for ever.
    constexpr std::uint64_t k_chunk = 1u << 15;
    auto left = static_cast<std::uint64_t>(std::llround(us * rate));
    const auto start = SteadyClock::now();
    while (left > 0) {
      const std::uint64_t n = std::min(left, k_chunk);
      x = spin_iterations(n, x);
      left -= n;
      if (elapsed_us(start) > 2.0 * us) break;
    }
    return publish(x);
  }
  // Deadline mode: ~20 µs of work between clock reads keeps the overshoot small.
  const auto chunk = std::clamp<std::uint64_t>(static_cast<std::uint64_t>(rate * 20.0), 1, 1u << 15);
  const auto start = SteadyClock::now();
  do {
    x = spin_iterations(chunk, x);
  } while (elapsed_us(start) < us);
  return publish(x);
}

void sleep_us(double us) {
  if (!(us > 0.0)) return;
  std::this_thread::sleep_for(std::chrono::duration<double, std::micro>(us));
}

void run_slice(const KernelSpec& spec, double us) {
  if (spec.type == KernelType::spin) {
    spin(us, spec.spin_mode);
  } else if (spec.type == KernelType::sleep) {
    sleep_us(us);
  }
}

double gemm_flops_per_us() {
  static const double rate = measure_gemm_rate();
  return rate;
}

GemmKernel::GemmKernel(std::uint32_t m, std::uint32_t n, std::uint32_t k)
    : m_(m),
      n_(n),
      k_(k),
      a_(std::size_t{m} * k),
      b_(std::size_t{k} * n),
      c_(std::size_t{m} * n, 0.0f) {
  fill(a_, m * 31u + k);
  fill(b_, k * 17u + n);
}

void GemmKernel::run() {
  gemm_product(a_.data(), b_.data(), c_.data(), m_, n_, k_);
}

double GemmKernel::flops() const noexcept {
  return 2.0 * static_cast<double>(m_) * static_cast<double>(n_) * static_cast<double>(k_);
}

double estimated_cost_us(const KernelSpec& spec) {
  if (spec.type == KernelType::gemm) {
    return 2.0 * spec.m * static_cast<double>(spec.n) * spec.k / gemm_flops_per_us();
  }
  return spec.us;
}

BoundKernel bind(const KernelSpec& spec) {
  BoundKernel bound;
  bound.estimated_us = estimated_cost_us(spec);
  if (spec.type == KernelType::gemm) {
    auto gemm = std::make_shared<GemmKernel>(spec.m, spec.n, spec.k);
    bound.run = [gemm] { gemm->run(); };
  } else if (spec.type == KernelType::fail) {
    bound.run = [message = spec.message] { throw std::runtime_error(message); };
  } else if (spec.type == KernelType::spin) {
    (void)spin_iterations_per_us();  // calibrate now, not inside the first timed operation
    bound.run = [us = spec.us, mode = spec.spin_mode] { spin(us, mode); };
  } else {
    bound.run = [us = spec.us] { sleep_us(us); };
  }
  return bound;
}

}  // namespace kernels
}  // namespace neat
