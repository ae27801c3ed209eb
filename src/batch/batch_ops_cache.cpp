// BatchResultCache and cached_run: argument checks. [batch.cache]
#include "neat/batch/batch_ops_cache.hpp"

#include <fmt/format.h>

#include "neat/common/error.hpp"

namespace neat::detail {

void check_cache_capacity(std::size_t capacity) {
  if (capacity > 0) return;
  throw Error("BatchResultCache: capacity 0; give the number of item results to keep (>= 1)");
}

void check_cache_entry(std::size_t items) {
  if (items == 1) return;
  throw Error(fmt::format("BatchResultCache::insert: an entry is the result of one item; this "
                          "one has {} items",
                          items));
}

void check_cached_result(std::size_t result_items, std::size_t misses) {
  if (result_items == misses) return;
  throw Error(fmt::format("cached_run: the batch function returned {} items for a batch of {} "
                          "items; it must return one result per item (nothing was cached)",
                          result_items, misses));
}

}  // namespace neat::detail
