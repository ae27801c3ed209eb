// Real kernels for workload operations: `spin` (busy arithmetic for N µs), `gemm` (a float matrix
// product C = A·B with Eigen), `sleep` (a stand-in for I/O or a device transfer) and `fail`
// (throws, to see how a run reports a failure). Each kernel knows its estimated cost in µs,
// which becomes the operation's cost_hint_us.
//
// Spin modes [workload.spin]:
//   - SpinMode::work (the default): a fixed amount of arithmetic, `us` × the iterations per µs
//     measured once per process. It is real CPU work: when the OS preempts the thread, or two
//     spins share one core, the wall time stretches, as it would for a real kernel. Use it to
//     measure speedups honestly (more workers than cores gain nothing).
//   - SpinMode::deadline: arithmetic in short chunks until steady_clock says `us` have passed
//     since the start, so preemption does not stretch it. It holds the CPU while it can, but the
//     work done varies; use it where the duration matters more than the work (latency tests).
// Calibration takes ~10 ms, happens once per process (thread-safe), and keeps the fastest of
// several trials so a preempted trial does not skew it.
//
// Thread-safety: the free functions may be called from any thread. A GemmKernel's run() must not
// be called concurrently with itself (each operation owns its own matrices).
// Blocking: sleep_us() sleeps; spin() and GemmKernel::run() compute for their duration.
//
//   neat::BoundKernel k = neat::kernels::bind({.type = neat::KernelType::gemm, .m = 64,
//                                              .n = 64, .k = 64});  // matrices allocated now
//   k.run();                                                        // C = A·B
//   double us = k.estimated_us;                                     // 2mnk / measured rate
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace neat {

enum class KernelType : std::uint8_t { spin, gemm, sleep, fail };
enum class SpinMode : std::uint8_t { work, deadline };

/// What one operation computes. `us` is used by spin and sleep; m, n, k by gemm (C is m×n,
/// A is m×k, B is k×n); `message` by fail. `checkpoint_us` > 0 (spin and sleep only) makes the
/// kernel preemptible under an ExecutionScheduler: it runs in slices of `checkpoint_us` with a
/// checkpoint between slices (see run_scheduled()); elsewhere the slices just run back to back.
struct KernelSpec {
  KernelType type = KernelType::spin;
  double us = 0.0;
  SpinMode spin_mode = SpinMode::work;
  double checkpoint_us = 0.0;
  std::uint32_t m = 0;
  std::uint32_t n = 0;
  std::uint32_t k = 0;
  std::string message{};
  friend bool operator==(const KernelSpec&, const KernelSpec&) = default;
};

[[nodiscard]] std::string_view to_string(KernelType type) noexcept;
[[nodiscard]] std::string_view to_string(SpinMode mode) noexcept;
/// "spin", "gemm", "sleep", "fail"; nullopt when unknown.
[[nodiscard]] std::optional<KernelType> parse_kernel_type(std::string_view text) noexcept;
/// "work", "deadline"; nullopt when unknown.
[[nodiscard]] std::optional<SpinMode> parse_spin_mode(std::string_view text) noexcept;

/// A kernel ready to run: its buffers are allocated, its cost is estimated. Copies share the
/// same buffers.
struct BoundKernel {
  std::function<void()> run;
  double estimated_us = 0.0;
};

namespace kernels {

/// Spin iterations per µs on this machine; measured on first use, then cached.
[[nodiscard]] double spin_iterations_per_us();
/// Busy arithmetic for `us` µs (see the modes above). Returns a value derived from the
/// arithmetic so that it cannot be optimised away. Non-positive `us` returns at once.
double spin(double us, SpinMode mode = SpinMode::work);

/// Sleep for `us` µs (std::this_thread::sleep_for). Non-positive `us` returns at once.
void sleep_us(double us);

/// `us` µs of a spin or sleep kernel (spin in `spec.spin_mode`): one slice of a kernel with
/// checkpoints. Does nothing for other kernel types or non-positive `us`.
void run_slice(const KernelSpec& spec, double us);

/// Single-core float gemm rate in flops per µs; measured on first use (a 128×128×128
/// product, fastest of several trials), then cached.
[[nodiscard]] double gemm_flops_per_us();

/// C = A·B with A m×k and B k×n, column-major, filled with fixed pseudo-random values at
/// construction (the only allocation). run() computes the product with Eigen.
class GemmKernel {
 public:
  GemmKernel(std::uint32_t m, std::uint32_t n, std::uint32_t k);
  void run();
  [[nodiscard]] std::uint32_t m() const noexcept { return m_; }
  [[nodiscard]] std::uint32_t n() const noexcept { return n_; }
  [[nodiscard]] std::uint32_t k() const noexcept { return k_; }
  /// Column-major: a()[i + r * m] is A(i, r); b()[r + j * k] is B(r, j); c()[i + j * m] is C(i, j).
  [[nodiscard]] const std::vector<float>& a() const noexcept { return a_; }
  [[nodiscard]] const std::vector<float>& b() const noexcept { return b_; }
  [[nodiscard]] const std::vector<float>& c() const noexcept { return c_; }
  /// 2·m·n·k.
  [[nodiscard]] double flops() const noexcept;

 private:
  std::uint32_t m_, n_, k_;
  std::vector<float> a_, b_, c_;
};

/// The product itself (column-major, C = A·B), compiled optimised even in debug builds so that
/// workloads keep their timing there.
void gemm_product(const float* a, const float* b, float* c, std::uint32_t m, std::uint32_t n,
                  std::uint32_t k);

/// Estimated µs of one run: spin and sleep: `us`; gemm: 2mnk / gemm_flops_per_us(); fail: 0.
[[nodiscard]] double estimated_cost_us(const KernelSpec& spec);

/// Allocate what `spec` needs (gemm matrices; spin calibration) and return it ready to run.
/// A fail kernel's run() throws std::runtime_error(spec.message).
[[nodiscard]] BoundKernel bind(const KernelSpec& spec);

}  // namespace kernels
}  // namespace neat
