// batch_optimizer/neat: the BatchOptimizer's sweep against an exhaustive static sweep in the same
// run, on a real kernel whose per-call cost makes batching pay.
//
// Kernel: a quantised linear layer, y = relu(x · dequantise(Wq) + b) with 256 features. Every
// call dequantises the int8 weights (256² conversions and multiplies: the fixed per-call cost,
// as unpacking weights or launching a kernel is), then runs one Eigen float gemm over the batch's
// n rows (2·n·256² flops). Single-threaded (Eigen without OpenMP), on the calling thread.
//
// Each iteration, for sizes 1..256:
//   1. exhaustive: k_static_reps batches of every size, the median duration gives items/s; the
//      best static size is the one of the highest items/s (within the latency limit, if any);
//   2. tune(): a fresh BatchOptimizer (no cache file, default options) sweeps the same kernel;
//      the iteration time is the time tune() took;
//   3. confirmation: the chosen size and the best static size, alternately, k_confirm_rounds
//      batches each; ratio_confirmed = median items/s of the choice / that of the best static
//      size (the exhaustive maximum is biased upwards by noise; this is not).
// "batch_optimizer/neat" has no latency limit; "batch_optimizer_limit/neat" limits a batch to
// half the median duration at 256, measured in step 1.
// Counters (means over iterations, sizes of the last one): best_static_size, chosen_size,
// tune_batches (target < 200), static_batches, ratio_in_sweep (the choice's exhaustive items/s /
// the best's), ratio_confirmed (target >= 0.9), ratio_confirmed_min, chosen_within_limit (the
// share of iterations whose choice had an exhaustive median within the limit), gain_over_size_1
// (the best static size's items/s over batches of one: what batching pays on this kernel).
// neat_bench links OpenMP for its omp.cpp peers; this kernel stays on its one thread.
#define EIGEN_DONT_PARALLELIZE
#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/registry.hpp"
#include "neat/batch/batch_optimizer.hpp"

namespace neat::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::nanoseconds;
constexpr Eigen::Index k_features = 256;
constexpr std::size_t k_max_batch = 256;
constexpr std::size_t k_static_reps = 5;
constexpr std::size_t k_confirm_rounds = 41;

class QuantisedLinear {
 public:
  QuantisedLinear()
      : weights_(Eigen::Matrix<std::int8_t, Eigen::Dynamic, Eigen::Dynamic>::NullaryExpr(
            k_features, k_features,
            [](Eigen::Index i, Eigen::Index j) {
              return static_cast<std::int8_t>((i * 37 + j * 11) % 255 - 127);
            })),
        scale_(Eigen::RowVectorXf::Constant(k_features, 1.0f / 127.0f)),
        bias_(Eigen::RowVectorXf::LinSpaced(k_features, -0.5f, 0.5f)),
        dequantised_(k_features, k_features),
        input_(Eigen::MatrixXf::Random(static_cast<Eigen::Index>(k_max_batch), k_features)),
        output_(static_cast<Eigen::Index>(k_max_batch), k_features) {}

  // One batch of the first n rows; returns its duration.
  nanoseconds run(std::size_t n) {
    const auto start = SteadyClock::now();
    const auto rows = static_cast<Eigen::Index>(n);
    dequantised_.noalias() = weights_.cast<float>() * scale_.asDiagonal();
    output_.topRows(rows).noalias() = input_.topRows(rows) * dequantised_;
    output_.topRows(rows) = (output_.topRows(rows).rowwise() + bias_).cwiseMax(0.0f);
    benchmark::DoNotOptimize(output_.data());
    benchmark::ClobberMemory();
    return SteadyClock::now() - start;
  }

 private:
  Eigen::Matrix<std::int8_t, Eigen::Dynamic, Eigen::Dynamic> weights_;
  Eigen::RowVectorXf scale_;
  Eigen::RowVectorXf bias_;
  Eigen::MatrixXf dequantised_;
  Eigen::MatrixXf input_;
  Eigen::MatrixXf output_;
};

double items_per_second(std::size_t size, nanoseconds duration) {
  return static_cast<double>(size) * 1e9 / static_cast<double>(std::max<long>(duration.count(), 1));
}

nanoseconds median(std::vector<nanoseconds> values) {
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

struct Exhaustive {
  std::vector<nanoseconds> duration;  // [size], median
  std::size_t batches = 0;

  [[nodiscard]] std::size_t best(std::optional<nanoseconds> limit) const {
    std::size_t best = 1;
    for (std::size_t n = 1; n <= k_max_batch; ++n) {
      const bool fits = !limit || duration[n] <= *limit;
      if (fits && items_per_second(n, duration[n]) > items_per_second(best, duration[best])) {
        best = n;
      }
    }
    return best;
  }
};

Exhaustive exhaustive_sweep(QuantisedLinear& kernel) {
  Exhaustive result;
  result.duration.resize(k_max_batch + 1);
  for (std::size_t n = 1; n <= k_max_batch; ++n) {
    std::vector<nanoseconds> samples;
    for (std::size_t r = 0; r < k_static_reps; ++r) samples.push_back(kernel.run(n));
    result.duration[n] = median(samples);
    result.batches += k_static_reps;
  }
  return result;
}

// Median items/s of `a` over that of `b`, batches of the two sizes alternating.
double confirmed_ratio(QuantisedLinear& kernel, std::size_t a, std::size_t b) {
  std::vector<nanoseconds> at_a;
  std::vector<nanoseconds> at_b;
  for (std::size_t r = 0; r < k_confirm_rounds; ++r) {
    at_a.push_back(kernel.run(a));
    at_b.push_back(kernel.run(b));
  }
  return items_per_second(a, median(at_a)) / items_per_second(b, median(at_b));
}

void optimizer_against_static(benchmark::State& state, bool with_limit) {
  QuantisedLinear kernel;
  (void)kernel.run(k_max_batch);  // page in the buffers
  double ratio_sum = 0;
  double ratio_min = 1e9;
  double in_sweep_sum = 0;
  double batches_sum = 0;
  double within_sum = 0;
  double gain_sum = 0;
  std::size_t best = 0;
  std::size_t chosen = 0;
  std::size_t static_batches = 0;
  for (auto _ : state) {
    const Exhaustive exhaustive = exhaustive_sweep(kernel);
    static_batches = exhaustive.batches;
    std::optional<nanoseconds> limit;
    if (with_limit) limit = exhaustive.duration[k_max_batch] / 2;
    best = exhaustive.best(limit);
    gain_sum += items_per_second(best, exhaustive.duration[best]) /
                items_per_second(1, exhaustive.duration[1]);

    BatchOptimizerOptions options{.component = "quantised_linear", .max_size = k_max_batch};
    options.latency_limit = limit;
    BatchOptimizer optimizer(options);
    const auto start = SteadyClock::now();
    const TuneResult tuned = optimizer.tune([&](std::size_t n) { return kernel.run(n); });
    state.SetIterationTime(std::chrono::duration<double>(SteadyClock::now() - start).count());
    chosen = tuned.size;

    const double ratio = confirmed_ratio(kernel, chosen, best);
    ratio_sum += ratio;
    ratio_min = std::min(ratio_min, ratio);
    in_sweep_sum += items_per_second(chosen, exhaustive.duration[chosen]) /
                    items_per_second(best, exhaustive.duration[best]);
    batches_sum += static_cast<double>(tuned.batches);
    within_sum += (!limit || exhaustive.duration[chosen] <= *limit) ? 1.0 : 0.0;
  }
  const auto iterations = static_cast<double>(state.iterations());
  state.counters["best_static_size"] = static_cast<double>(best);
  state.counters["chosen_size"] = static_cast<double>(chosen);
  state.counters["static_batches"] = static_cast<double>(static_batches);
  state.counters["tune_batches"] = batches_sum / iterations;
  state.counters["ratio_in_sweep"] = in_sweep_sum / iterations;
  state.counters["ratio_confirmed"] = ratio_sum / iterations;
  state.counters["ratio_confirmed_min"] = ratio_min;
  state.counters["chosen_within_limit"] = within_sum / iterations;
  state.counters["gain_over_size_1"] = gain_sum / iterations;
}

void batch_optimizer_neat(benchmark::State& state) {
  optimizer_against_static(state, false);
}
void batch_optimizer_limit_neat(benchmark::State& state) {
  optimizer_against_static(state, true);
}

}  // namespace

NEAT_BENCH_NO_WORKERS("batch_optimizer", "neat", batch_optimizer_neat);
NEAT_BENCH_NO_WORKERS("batch_optimizer_limit", "neat", batch_optimizer_limit_neat);

}  // namespace neat::bench
