// format_profiler_report: the text table of a ProfilerReport.
#include <fmt/format.h>

#include "neat/sched/performance_profiler.hpp"

namespace neat {
namespace {

std::string percent(double fraction) {
  return fmt::format("{:.1f}%", 100.0 * fraction);
}

constexpr std::string_view k_row =
    "{:<20} {:>8} {:>5} {:>7} {:>7} {:>7} {:>7} {:>8} {:>8} {:>7}  {}\n";

std::string row(std::string_view kind, std::string_view samples, std::string_view footprints,
                const PredictionErrorSummary& e, const PredictionErrorSummary* unseen,
                std::string_view settle, std::string_view model) {
  return fmt::format(k_row, kind, samples, footprints, e.count, percent(e.p50), percent(e.p95),
                     percent(e.max), unseen ? percent(unseen->p50) : "",
                     unseen ? percent(unseen->p95) : "", settle, model);
}

}  // namespace

std::string format_profiler_report(const ProfilerReport& report) {
  std::string out = fmt::format(
      "prediction error |predicted - measured| / measured; settled = samples held before {} "
      "consecutive errors <= {}\n",
      report.settle_window, percent(report.settle_threshold));
  out += "unseen = predictions for footprints not seen before (the regression model)\n";
  out += fmt::format(k_row, "kind", "samples", "sizes", "errors", "p50", "p95", "max", "unseen50",
                     "unseen95", "settled", "model");
  std::size_t samples = 0;
  for (const KindReport& k : report.kinds) {
    samples += k.samples;
    const std::string settle =
        k.samples_to_settle ? std::to_string(*k.samples_to_settle) : std::string("-");
    const std::string model =
        k.model == ProfileModel::none
            ? std::string("none")
            : fmt::format("{} (loo {})", to_string(k.model), percent(k.model_loo_error));
    out += row(k.kind, std::to_string(k.samples), std::to_string(k.footprints), k.error,
               &k.regression_error, settle, model);
  }
  out += row("total", std::to_string(samples), "", report.error, nullptr, "", "");
  return out;
}

}  // namespace neat
