// The BatchOptimizer's cache file [batch.opt.cache]:
//
//   {"format": "neatsched-batch-sizes", "version": 1,
//    "entries": [{"component": "blt_encoder", "hardware": "cpu=...;cpus=2;mem_gib=24",
//                 "size": 32, "items_per_second": 41200.5,
//                 "min_size": 1, "max_size": 256, "latency_limit_ns": 20000000}]}
//
// latency_limit_ns 0 means no limit. (component, hardware) is unique within a file.
// Thread-safety: free functions without shared state; writes go to a file of their own and are
// renamed over the cache, so readers never see half a file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace neat::detail {

struct BatchSizeEntry {
  std::string component{};
  std::string hardware{};
  std::size_t size = 0;
  double items_per_second = 0;
  std::size_t min_size = 0;
  std::size_t max_size = 0;
  std::int64_t latency_limit_ns = 0;  // 0: none
};

/// Every entry of the file; empty when it does not exist. Throws neat::Error naming the file,
/// the JSON path and the problem for anything else than a well-formed cache.
[[nodiscard]] std::vector<BatchSizeEntry> read_batch_sizes(const std::string& path);

/// Add `entry` to the file, replacing the one of the same (component, hardware) and keeping the
/// others. Throws neat::Error naming the file when it is corrupted or cannot be written; the
/// file is then unchanged.
void store_batch_size(const std::string& path, const BatchSizeEntry& entry);

}  // namespace neat::detail
