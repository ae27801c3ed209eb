#include "profile_kind.hpp"

#include <algorithm>
#include <cmath>

namespace neat::detail {

void Ring::add(double value, std::size_t capacity) {
  if (values_.size() < capacity) {
    values_.push_back(value);
    return;
  }
  values_[next_] = value;
  next_ = (next_ + 1) % capacity;
}

std::vector<double> Ring::in_order() const {
  std::vector<double> out(values_.begin() + static_cast<std::ptrdiff_t>(next_), values_.end());
  out.insert(out.end(), values_.begin(), values_.begin() + static_cast<std::ptrdiff_t>(next_));
  return out;
}

double median(std::span<const double> values, std::vector<double>& scratch) {
  scratch.assign(values.begin(), values.end());
  const auto mid = scratch.begin() + static_cast<std::ptrdiff_t>(scratch.size() / 2);
  std::nth_element(scratch.begin(), mid, scratch.end());
  if (scratch.size() % 2 == 1) return *mid;
  return (*mid + *std::max_element(scratch.begin(), mid)) / 2.0;
}

PredictionErrorSummary summarize(std::vector<double> values, std::size_t total) {
  PredictionErrorSummary s;
  s.count = total;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  const auto rank = [&](double pct) {
    const auto n = static_cast<double>(values.size());
    const auto r = static_cast<std::size_t>(std::ceil(pct / 100.0 * n));
    return values[std::max<std::size_t>(r, 1) - 1];
  };
  s.p50 = rank(50.0);
  s.p95 = rank(95.0);
  s.max = values.back();
  return s;
}

std::optional<double> KindProfile::predict(std::span<const double> footprint) {
  if (const auto it = footprints_.find(footprint); it != footprints_.end()) {
    return it->second.median_us;
  }
  for (const FittedModel& model : models()) {
    if (auto us = model.predict(footprint)) return us;
  }
  return std::nullopt;
}

void KindProfile::record(std::span<const double> footprint, double us) {
  const bool observed = footprints_.contains(footprint);
  if (const auto predicted = predict(footprint)) {
    note_error(std::abs(*predicted - us) / us, observed);
  }
  add(footprint, us);
}

void KindProfile::note_error(double error, bool observed) {
  const ProfilerOptions& o = *options_;
  all_errors_.add(error, o.error_window);
  (observed ? observed_errors_ : regression_errors_).add(error, o.error_window);
  if (samples_to_settle_) return;
  if (error > o.settle_threshold) {
    settle_run_ = 0;
    return;
  }
  if (settle_run_++ == 0) settle_run_start_ = samples_;
  if (settle_run_ >= o.settle_window) samples_to_settle_ = settle_run_start_;
}

void KindProfile::add(std::span<const double> footprint, double us) {
  auto it = footprints_.find(footprint);
  if (it == footprints_.end()) {
    if (footprints_.size() >= options_->max_footprints_per_kind) drop_least_recent();
    it = footprints_.emplace(Footprint(footprint.begin(), footprint.end()), FootprintHistory{})
             .first;
    footprints_changed_ = true;
  }
  FootprintHistory& h = it->second;
  h.samples.add(us, options_->history_per_footprint);
  h.median_us = median(h.samples.values(), scratch_);
  h.last_recorded = ++samples_;
  ++samples_since_fit_;
}

void KindProfile::drop_least_recent() {
  const auto oldest = std::min_element(
      footprints_.begin(), footprints_.end(),
      [](const auto& a, const auto& b) { return a.second.last_recorded < b.second.last_recorded; });
  footprints_.erase(oldest);
}

const std::vector<FittedModel>& KindProfile::models(bool fresh) {
  const bool stale = footprints_changed_ || samples_since_fit_ >= footprints_.size() ||
                     (fresh && samples_since_fit_ > 0);
  if (stale) {
    std::vector<ModelPoint> points;
    points.reserve(footprints_.size());
    for (const auto& [footprint, history] : footprints_) {
      points.push_back(ModelPoint{footprint, history.median_us});
    }
    models_ = fit_models(points);
    footprints_changed_ = false;
    samples_since_fit_ = 0;
  }
  return models_;
}

KindReport KindProfile::report(std::string kind) {
  KindReport r;
  r.kind = std::move(kind);
  r.samples = samples_;
  r.footprints = footprints_.size();
  const auto summary = [](const ErrorLog& log) {
    const auto values = log.window.values();
    return summarize(std::vector<double>(values.begin(), values.end()), log.count);
  };
  r.error = summary(all_errors_);
  r.observed_error = summary(observed_errors_);
  r.regression_error = summary(regression_errors_);
  r.samples_to_settle = samples_to_settle_;
  if (const auto& fits = models(/*fresh=*/true); !fits.empty()) {
    r.model = fits.front().model;
    r.model_loo_error = fits.front().loo_error;
  }
  return r;
}

void KindProfile::for_each_footprint(
    const std::function<void(const Footprint&, const std::vector<double>&)>& fn) const {
  std::vector<const decltype(footprints_)::value_type*> order;
  for (const auto& entry : footprints_) order.push_back(&entry);
  std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return a->second.last_recorded < b->second.last_recorded;
  });
  for (const auto* entry : order) fn(entry->first, entry->second.samples.in_order());
}

}  // namespace neat::detail
