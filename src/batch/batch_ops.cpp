// split_run and buckets: option checks and piece submissions. [batch.split] [batch.buckets]
#include "neat/batch/batch_ops.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <limits>

#include "neat/common/error.hpp"

namespace neat::detail {

void check_buckets(const char* where, const std::vector<std::size_t>& buckets) {
  if (buckets.empty()) {
    throw Error(fmt::format("{}: no buckets; give the preferred sizes, ascending (e.g. 8, 16, 32)",
                            where));
  }
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    if (buckets[i] == 0) {
      throw Error(fmt::format("{}: bucket {} of [{}] is 0; every bucket holds at least 1 item",
                              where, i, fmt::join(buckets, ", ")));
    }
    if (i > 0 && buckets[i] <= buckets[i - 1]) {
      throw Error(fmt::format("{}: buckets [{}] are not strictly ascending ({} after {} at index "
                              "{})",
                              where, fmt::join(buckets, ", "), buckets[i], buckets[i - 1], i));
    }
  }
}

std::size_t bucket_for(std::size_t size, const std::vector<std::size_t>& buckets) noexcept {
  if (size == 0) return 0;
  const auto it = std::lower_bound(buckets.begin(), buckets.end(), size);
  return it == buckets.end() ? size : *it;
}

void check_stripped(std::size_t result_size, std::size_t original_size) {
  if (result_size >= original_size) return;
  throw Error(fmt::format("strip_padding: the result has {} items, fewer than the {} real items "
                          "of the batch; a batch function must return one result per item",
                          result_size, original_size));
}

void check_split_options(const SplitOptions& options, bool mergeable) {
  if (options.splittable && options.micro_batch == 0) {
    throw Error(fmt::format("split_run('{}'): micro_batch is 0; give the items per piece (>= 1), "
                            "or set splittable = false to run the batch whole",
                            options.name));
  }
  if (options.buckets.empty()) return;
  const std::string where = fmt::format("split_run('{}')", options.name);
  check_buckets(where.c_str(), options.buckets);
  if (!mergeable) {
    throw Error(fmt::format("{}: buckets need a result with BatchTraits, to strip the padding "
                            "from it; this batch function's result has none",
                            where));
  }
}

std::string piece_name(const std::string& name, std::size_t begin, std::size_t end) {
  return fmt::format("{}[{}:{}]", name, begin, end);
}

Submission piece_submission(const SplitOptions& options, std::size_t begin, std::size_t end,
                            std::size_t padded) {
  const std::uint64_t per_item = options.memory_bytes_per_item;
  if (per_item != 0 && padded > std::numeric_limits<std::uint64_t>::max() / per_item) {
    throw Error(fmt::format("split_run('{}'): {} items x {} bytes per item overflows 64 bits",
                            options.name, padded, per_item));
  }
  Submission s;
  s.descriptor.name = piece_name(options.name, begin, end);
  s.descriptor.component = options.component;
  s.descriptor.priority = options.priority;
  s.descriptor.memory_bytes = per_item * static_cast<std::uint64_t>(padded);
  return s;
}

}  // namespace neat::detail
