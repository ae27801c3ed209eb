// The batching benchmarks' kernel: a 256x256 float linear layer (Eigen, one thread) behind a
// fixed per-call cost. Alone (or in a batch of one), a request is one gemv (y = W x); a batch of
// n > 1 is one gemm (Y = W X, X of n columns). Every call, alone or batched, first spins
// k_launch_us of wall-clock time: the fixed cost of a call (on an accelerator, the kernel launch
// and the synchronisation, typically 5-20 us), which a batch pays once. The spin is a stand-in,
// not a real launch; the gemv/gemm arithmetic is real.
//
// Also percentile(), for the benchmarks' latency counters.
//
// Thread-safety: model() is built once (thread-safe static); alone() and batched() only read it.
#pragma once

#define EIGEN_DONT_PARALLELIZE
#include <Eigen/Dense>
#include <algorithm>
#include <cstddef>
#include <vector>

#include "common/spin.hpp"

namespace neat::bench::batching {

constexpr Eigen::Index k_dim = 256;
constexpr double k_launch_us = 20.0;
constexpr int k_inputs = 64;  // distinct inputs, used round-robin

struct Model {
  Eigen::MatrixXf weights = Eigen::MatrixXf::Random(k_dim, k_dim);
  Eigen::MatrixXf inputs = Eigen::MatrixXf::Random(k_dim, k_inputs);  // column i: input i

  float alone(int input) const {
    spin_for_us(k_launch_us);
    const Eigen::VectorXf y = weights * inputs.col(input);
    return y.sum();
  }
  std::vector<float> batched(const std::vector<int>& batch) const {
    if (batch.size() == 1) return {alone(batch.front())};  // as BLAS libraries do: a gemv
    spin_for_us(k_launch_us);
    Eigen::MatrixXf x(k_dim, static_cast<Eigen::Index>(batch.size()));
    for (std::size_t i = 0; i < batch.size(); ++i) {
      x.col(static_cast<Eigen::Index>(i)) = inputs.col(batch[i]);
    }
    const Eigen::MatrixXf y = weights * x;
    const Eigen::RowVectorXf sums = y.colwise().sum();
    return {sums.data(), sums.data() + sums.size()};
  }
};

inline const Model& model() {
  static const Model m;
  return m;
}

/// The q-quantile (0..1) of `v` by the nearest-rank-below rule; 0 for an empty vector.
inline double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

}  // namespace neat::bench::batching
