#include "dag.hpp"

#include <algorithm>
#include <numeric>
#include <random>

#include "spin.hpp"

namespace neat::bench {

std::size_t LayeredDag::edge_count() const noexcept {
  std::size_t n = 0;
  for (const auto& p : predecessors) n += p.size();
  return n;
}

LayeredDag make_layered_dag(const DagParams& params) {
  LayeredDag dag{params, std::vector<std::vector<std::uint32_t>>(params.tasks)};
  std::mt19937_64 rng(params.seed);
  const std::uint32_t span = params.max_preds - params.min_preds + 1;
  std::vector<std::uint32_t> pool;
  for (std::size_t i = params.width; i < params.tasks; ++i) {
    const std::size_t layer_begin = (i / params.width - 1) * params.width;
    pool.resize(params.width);
    std::iota(pool.begin(), pool.end(), static_cast<std::uint32_t>(layer_begin));
    const std::size_t want = std::min<std::size_t>(params.min_preds + rng() % span, pool.size());
    for (std::size_t k = 0; k < want; ++k) {  // partial Fisher-Yates: `want` distinct picks
      std::swap(pool[k], pool[k + rng() % (pool.size() - k)]);
    }
    auto& preds = dag.predecessors[i];
    preds.assign(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(want));
    std::sort(preds.begin(), preds.end());
  }
  return dag;
}

DagBound lower_bound(const LayeredDag& dag, std::span<const double> durations_us, int workers) {
  DagBound bound;
  std::vector<double> finish(dag.size(), 0.0);  // longest path ending at i, i included
  for (std::size_t i = 0; i < dag.size(); ++i) {
    double ready = 0.0;
    for (std::uint32_t p : dag.predecessors[i]) ready = std::max(ready, finish[p]);
    finish[i] = ready + durations_us[i];
    bound.total_work_us += durations_us[i];
    bound.critical_path_us = std::max(bound.critical_path_us, finish[i]);
  }
  bound.lower_bound_us =
      std::max(bound.critical_path_us, bound.total_work_us / static_cast<double>(workers));
  return bound;
}

DagRecorder::DagRecorder(const LayeredDag& dag)
    : dag_(dag), start_ns_(dag.size(), 0), end_ns_(dag.size(), 0) {}

void DagRecorder::run_task(std::uint32_t i) noexcept {
  const auto since_epoch = [] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
  };
  start_ns_[i] = since_epoch();
  spin_for_us(dag_.params.task_us);
  end_ns_[i] = since_epoch();
}

void DagRecorder::reset() noexcept {
  std::fill(start_ns_.begin(), start_ns_.end(), 0);
  std::fill(end_ns_.begin(), end_ns_.end(), 0);
}

std::string DagRecorder::check() const {
  for (std::size_t i = 0; i < dag_.size(); ++i) {
    if (end_ns_[i] == 0) return "random_dag: task " + std::to_string(i) + " did not run";
    for (std::uint32_t p : dag_.predecessors[i]) {
      if (start_ns_[i] < end_ns_[p]) {
        return "random_dag: task " + std::to_string(i) + " started before predecessor " +
               std::to_string(p) + " ended";
      }
    }
  }
  return {};
}

std::vector<double> DagRecorder::durations_us() const {
  std::vector<double> d(dag_.size());
  for (std::size_t i = 0; i < d.size(); ++i) {
    d[i] = static_cast<double>(end_ns_[i] - start_ns_[i]) / 1e3;
  }
  return d;
}

namespace {

struct DagTotals {
  double makespan_s = 0.0;
  DagBound measured;  // sums over iterations
  DagBound nominal;

  void add(const DagBound& m, const DagBound& n, double makespan) {
    makespan_s += makespan;
    measured.critical_path_us += m.critical_path_us;
    measured.total_work_us += m.total_work_us;
    measured.lower_bound_us += m.lower_bound_us;
    nominal.lower_bound_us += n.lower_bound_us;
  }

  void set_counters(benchmark::State& state, const DagBound& nominal_bound) const {
    const double it = static_cast<double>(state.iterations());
    if (it <= 0 || makespan_s <= 0) return;
    auto plain = [](double v) { return benchmark::Counter(v); };
    state.counters["makespan_ms"] = plain(makespan_s * 1e3 / it);
    state.counters["lower_bound_ms"] = plain(measured.lower_bound_us / 1e3 / it);
    state.counters["critical_path_ms"] = plain(measured.critical_path_us / 1e3 / it);
    state.counters["total_work_ms"] = plain(measured.total_work_us / 1e3 / it);
    state.counters["efficiency"] = plain(measured.lower_bound_us / 1e6 / makespan_s);
    state.counters["lower_bound_nominal_ms"] = plain(nominal_bound.lower_bound_us / 1e3);
    state.counters["efficiency_nominal"] = plain(nominal.lower_bound_us / 1e6 / makespan_s);
  }
};

}  // namespace

void dag_loop(benchmark::State& state, DagRecorder& recorder, void (*run_once)(void*),
              void* context) {
  const int workers = workers_arg(state);
  const LayeredDag& dag = recorder.dag();
  const std::vector<double> nominal_durations(dag.size(), dag.params.task_us);
  const DagBound nominal = lower_bound(dag, nominal_durations, workers);
  recorder.reset();
  run_once(context);  // warm-up
  if (const std::string problem = recorder.check(); !problem.empty()) {
    state.SkipWithError(problem.c_str());
    return;
  }
  DagTotals totals;
  double total_s = 0.0;
  for (auto _ : state) {
    recorder.reset();
    const auto start = Clock::now();
    run_once(context);
    const double elapsed = seconds_between(start, Clock::now());
    state.SetIterationTime(elapsed);
    total_s += elapsed;
    if (const std::string problem = recorder.check(); !problem.empty()) {
      state.SkipWithError(problem.c_str());
      break;
    }
    totals.add(lower_bound(dag, recorder.durations_us(), workers), nominal, elapsed);
  }
  set_task_counters(state, dag.size(), total_s);
  totals.set_counters(state, nominal);
}

}  // namespace neat::bench
