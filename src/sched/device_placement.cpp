// DevicePlacer: earliest predicted finish over the candidate devices. [sched.placement]
#include "neat/sched/device_placement.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "neat/common/error.hpp"

namespace neat {
namespace {

bool allows(DeviceAffinity affinity, DeviceKind kind) {
  if (affinity == DeviceAffinity::cpu) return kind == DeviceKind::cpu;
  if (affinity == DeviceAffinity::cuda) return kind == DeviceKind::gpu;
  return true;
}

std::string profile_key(std::string_view kind, const Device& device) {
  return fmt::format("{}@{}", kind, device.label());
}

struct Estimate {
  std::size_t position = 0;  // in the placer's device list
  std::optional<double> run_us;
  std::string source;
  double queue_us = 0.0;
};

// [sched.placement] The device's own profile, then (a CPU only) the kind without a device,
// then the caller's hint.
Estimate estimate_run(const PerformanceProfiler& profiler, const PlacementRequest& request,
                      const Device& device, std::size_t position) {
  const std::string key = profile_key(request.kind, device);
  if (std::optional<double> us = profiler.predict_us(key, request.footprint)) {
    return {position, us, "profile " + key};
  }
  if (device.kind() == DeviceKind::cpu) {
    if (std::optional<double> us = profiler.predict_us(request.kind, request.footprint)) {
      return {position, us, "profile " + std::string(request.kind)};
    }
  }
  if (request.cost_hint_us > 0.0) return {position, request.cost_hint_us, "cost hint"};
  return {position, std::nullopt, "no profile or cost hint"};
}

std::string describe(const Estimate& e, const Device& device) {
  if (!e.run_us) return fmt::format("{}: unknown ({})", device.label(), e.source);
  return fmt::format("{}: {:.1f} us = queue {:.1f} + run {:.1f} ({})", device.label(),
                     e.queue_us + *e.run_us, e.queue_us, *e.run_us, e.source);
}

void check_request(const PlacementRequest& request) {
  if (request.kind.empty()) throw Error("DevicePlacer::place: the operation kind is empty");
  if (!std::isfinite(request.cost_hint_us) || request.cost_hint_us < 0.0) {
    throw Error(
        fmt::format("DevicePlacer::place: operation '{}': cost hint {} us is not a "
                    "finite number >= 0",
                    request.kind, request.cost_hint_us));
  }
}

// The candidates the affinity allows, with their run times (queues are filled in later).
std::vector<Estimate> estimate_candidates(const PerformanceProfiler& profiler,
                                          const PlacementRequest& request,
                                          const std::vector<Device*>& devices) {
  std::vector<Estimate> estimates;
  for (std::size_t i = 0; i < devices.size(); ++i) {
    if (allows(request.affinity, devices[i]->kind())) {
      estimates.push_back(estimate_run(profiler, request, *devices[i], i));
    }
  }
  if (estimates.empty()) {
    std::string have;
    for (const Device* d : devices) have += (have.empty() ? "" : ", ") + d->label();
    throw Error(
        fmt::format("DevicePlacer::place: operation '{}' needs a {} device; the placer "
                    "has {}",
                    request.kind, to_string(request.affinity), have));
  }
  return estimates;
}

// Earliest finish among the known; ties to the first listed. Nothing known: the CPU.
std::pair<const Estimate*, std::string_view> pick(const std::vector<Estimate>& estimates,
                                                  const std::vector<Device*>& devices) {
  const Estimate* best = nullptr;
  for (const Estimate& e : estimates) {
    if (e.run_us && (best == nullptr || e.queue_us + *e.run_us < best->queue_us + *best->run_us)) {
      best = &e;
    }
  }
  if (best != nullptr) return {best, "has the earliest predicted finish"};
  const auto cpu = std::find_if(estimates.begin(), estimates.end(), [&devices](const Estimate& e) {
    return devices[e.position]->kind() == DeviceKind::cpu;
  });
  return {cpu != estimates.end() ? &*cpu : &estimates.front(),
          "chosen: no candidate has a known run time, so the CPU is preferred"};
}

}  // namespace

struct DevicePlacer::State {
  struct Outstanding {
    std::size_t position;
    double run_us;
  };
  std::mutex mutex;
  std::uint64_t next_id = 1;                                   // guarded by mutex
  std::vector<double> backlog_us;                              // guarded by mutex; per device
  std::vector<std::size_t> backlog_count;                      // guarded by mutex; per device
  std::unordered_map<std::uint64_t, Outstanding> outstanding;  // guarded by mutex
  std::deque<Placement> log;                                   // guarded by mutex
};

DevicePlacer::DevicePlacer(PerformanceProfiler& profiler, std::vector<Device*> devices)
    : profiler_(profiler), devices_(std::move(devices)), state_(std::make_unique<State>()) {
  if (devices_.empty()) throw Error("DevicePlacer: no devices to place on");
  for (std::size_t i = 0; i < devices_.size(); ++i) {
    if (devices_[i] == nullptr) throw Error(fmt::format("DevicePlacer: device {} is null", i));
    for (std::size_t j = 0; j < i; ++j) {
      if (devices_[j] != nullptr && devices_[j]->label() == devices_[i]->label()) {
        throw Error(
            fmt::format("DevicePlacer: devices {} and {} are both {} (one profile key "
                        "each: give them different indexes)",
                        j, i, devices_[i]->label()));
      }
    }
  }
  state_->backlog_us.assign(devices_.size(), 0.0);
  state_->backlog_count.assign(devices_.size(), 0);
}

DevicePlacer::~DevicePlacer() = default;

Placement DevicePlacer::place(const PlacementRequest& request) {
  check_request(request);
  std::vector<Estimate> estimates = estimate_candidates(profiler_, request, devices_);
  std::lock_guard<std::mutex> lock(state_->mutex);
  for (Estimate& e : estimates) {
    const std::size_t lanes = std::max<std::size_t>(1, devices_[e.position]->concurrency());
    e.queue_us = state_->backlog_us[e.position] / static_cast<double>(lanes);
  }
  const auto [best, why] = pick(estimates, devices_);
  Placement placement{
      .id = state_->next_id++,
      .device = devices_[best->position],
      .kind = std::string(request.kind),
      .footprint = Footprint(request.footprint.begin(), request.footprint.end()),
      .queue_us = best->queue_us,
      .run_us = best->run_us.value_or(0.0),
      .finish_us = best->queue_us + best->run_us.value_or(0.0),
      .reason = describe(*best, *devices_[best->position]) + " " + std::string(why)};
  for (const Estimate& e : estimates) {
    if (&e != best) placement.reason += "; " + describe(e, *devices_[e.position]);
  }
  state_->backlog_us[best->position] += placement.run_us;
  ++state_->backlog_count[best->position];
  state_->outstanding.emplace(placement.id, State::Outstanding{best->position, placement.run_us});
  if (state_->log.size() == k_placement_log_size) state_->log.pop_front();
  state_->log.push_back(placement);
  return placement;
}

void DevicePlacer::finished(const Placement& placement, std::optional<Microseconds> measured) {
  if (measured && (!std::isfinite(measured->count()) || measured->count() < 0.0)) {
    throw Error(
        fmt::format("DevicePlacer::finished: placement {} of '{}': measured time {} us "
                    "is not a finite number >= 0",
                    placement.id, placement.kind, measured->count()));
  }
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    const auto it = state_->outstanding.find(placement.id);
    if (it == state_->outstanding.end() || placement.device != devices_[it->second.position]) {
      throw Error(
          fmt::format("DevicePlacer::finished: placement {} of '{}' is not outstanding "
                      "(finished twice, or made by another placer)",
                      placement.id, placement.kind));
    }
    const std::size_t position = it->second.position;
    state_->backlog_us[position] -= it->second.run_us;
    if (--state_->backlog_count[position] == 0) state_->backlog_us[position] = 0.0;  // no drift
    state_->outstanding.erase(it);
  }
  if (measured) {
    profiler_.record(profile_key(placement.kind, *placement.device), placement.footprint,
                     *measured);
  }
}

Placement DevicePlacer::submit(const PlacementRequest& request, std::function<void(Device&)> work) {
  if (!work)
    throw Error(
        fmt::format("DevicePlacer::submit: operation '{}': the work is empty", request.kind));
  Placement placement = place(request);
  Stream& stream = placement.device->least_busy_stream();
  placement.stream = &stream;
  stream.submit([this, placement, work = std::move(work)] {
    const auto start = std::chrono::steady_clock::now();
    try {
      work(*placement.device);
    } catch (...) {
      finished(placement);
      throw;
    }
    finished(placement, Microseconds(std::chrono::steady_clock::now() - start));
  });
  return placement;
}

double DevicePlacer::backlog_us(const Device& device) const {
  const auto it = std::find(devices_.begin(), devices_.end(), &device);
  if (it == devices_.end()) return 0.0;
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->backlog_us[static_cast<std::size_t>(it - devices_.begin())];
}

std::vector<Placement> DevicePlacer::decisions() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return {state_->log.begin(), state_->log.end()};
}

}  // namespace neat
