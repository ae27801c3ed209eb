// The gemm kernel's product, C = A·B, with Eigen on the calling thread only. This file is
// compiled with -O2 in every build type (src/CMakeLists.txt): Eigen at -O0 is ~40x slower,
// which would make debug runs of the workloads meaningless.
#include <Eigen/Core>

#include "neat/workload/kernels.hpp"

namespace neat::kernels {

void gemm_product(const float* a, const float* b, float* c, std::uint32_t m, std::uint32_t n,
                  std::uint32_t k) {
  using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
  const Eigen::Map<const Matrix> lhs(a, m, k);
  const Eigen::Map<const Matrix> rhs(b, k, n);
  Eigen::Map<Matrix> out(c, m, n);
  out.noalias() = lhs * rhs;
}

}  // namespace neat::kernels
