#include "timing.hpp"

namespace neat::bench {
namespace {

struct CacheSlot {
  std::string key;
  std::shared_ptr<void> value;
};

CacheSlot& slot() {
  static CacheSlot instance;
  return instance;
}

}  // namespace

bool check_shape(benchmark::State& state, std::size_t nodes, std::size_t edges,
                 std::size_t expected_nodes, std::size_t expected_edges) {
  if (nodes == expected_nodes && edges == expected_edges) return true;
  const std::string problem = "built " + std::to_string(nodes) + " nodes and " +
                              std::to_string(edges) + " edges, expected " +
                              std::to_string(expected_nodes) + " and " +
                              std::to_string(expected_edges);
  state.SkipWithError(problem.c_str());
  return false;
}

void clear_cache() {
  slot().value.reset();
  slot().key.clear();
}

void set_cached(std::string key, std::shared_ptr<void> value) {
  slot().key = std::move(key);
  slot().value = std::move(value);
}

void* find_cached(std::string_view key) {
  return slot().value && slot().key == key ? slot().value.get() : nullptr;
}

}  // namespace neat::bench
