// Memory budgets: components with importance and budgets, RAII reservations, refusals with the
// numbers, and progressive deactivation under memory pressure. The sampler here reports a
// resident set that the program sets, so that the run is the same on every machine; leave
// `sampler` out to read this process, its cgroup and the machine.
#include <chrono>
#include <cstdio>
#include <neat/resources/memory_budget.hpp>

int main() {
  constexpr std::uint64_t k_mib = 1ull << 20;
  neat::ComponentResourceManager components(1024 * k_mib);
  components.register_component(
      {.name = "titans_memory", .importance = 3, .memory_budget_bytes = 256 * k_mib});
  components.register_component({.name = "blt_encoder", .importance = 2});
  components.register_component({.name = "mvot_tokenizer", .importance = 1});

  std::uint64_t resident = 0;
  neat::MemoryBudgetManager memory(components, {.total_bytes = 1024 * k_mib,
                                                .sampler =
                                                    [&resident] {
                                                      neat::MemorySample s;
                                                      s.process_rss_bytes = resident;
                                                      return s;
                                                    },
                                                .sample_interval = std::chrono::milliseconds(0)});
  const neat::ListenerId id = memory.on_pressure_change([](const neat::PressureChange& c) {
    std::printf("pressure %s -> %s", neat::to_string(c.from).data(), neat::to_string(c.to).data());
    for (const std::string& name : c.deactivated) std::printf(", %s deactivated", name.c_str());
    for (const std::string& name : c.reactivated) std::printf(", %s reactivated", name.c_str());
    std::printf("\n");
  });

  bool refused = false;
  {
    neat::Reservation cache = memory.reserve_or_throw("titans_memory", 200 * k_mib);
    neat::ReservationResult more = memory.try_reserve("titans_memory", 100 * k_mib);
    if (!more) std::printf("refused: %s\n", more.error().message.c_str());
    refused = !more && more.error().may_fit_later();
  }  // `cache` gives its 200 MiB back here

  resident = 900 * k_mib;  // 88% of the total: high
  memory.refresh();
  neat::ReservationResult deferred = memory.try_reserve("mvot_tokenizer", k_mib);
  if (!deferred) std::printf("deferred: %s\n", deferred.error().message.c_str());
  resident = 300 * k_mib;  // back to normal: everything is reactivated
  memory.refresh();
  memory.unsubscribe(id);

  const bool ok = refused && !deferred && memory.is_active("mvot_tokenizer") &&
                  memory.budget_bytes("blt_encoder") == 512 * k_mib;
  return ok ? 0 : 1;
}
