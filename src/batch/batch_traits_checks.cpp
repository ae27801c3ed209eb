// Argument checks of the BatchTraits specialisations and of Tensor. [batch.traits]
#include "neat/detail/batch_traits_checks.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <limits>

#include "neat/common/error.hpp"

namespace neat::detail {

void check_slice(const char* type, std::size_t begin, std::size_t end, std::size_t size) {
  if (begin <= end && end <= size) return;
  throw Error(fmt::format("BatchTraits<{}>::slice: items [{}, {}) of a batch of {} items; need "
                          "begin <= end <= size",
                          type, begin, end, size));
}

void check_pad(const char* type, std::size_t size, std::size_t n) {
  if (size == 0) {
    throw Error(fmt::format("BatchTraits<{}>::pad: cannot pad an empty batch to {} items (there "
                            "is no last item to repeat)",
                            type, n));
  }
  if (n < size) {
    throw Error(fmt::format("BatchTraits<{}>::pad: {} items is fewer than the batch's {}; pad "
                            "only grows (use truncate to shorten)",
                            type, n, size));
  }
}

void check_truncate(const char* type, std::size_t size, std::size_t n) {
  if (n <= size) return;
  throw Error(fmt::format("BatchTraits<{}>::truncate: {} items is more than the batch's {}; "
                          "truncate only shortens (use pad to grow)",
                          type, n, size));
}

void check_item(const char* type, std::size_t index, std::size_t size) {
  if (index < size) return;
  throw Error(fmt::format("{}: item {} of a batch of {} items", type, index, size));
}

std::uint64_t hash_bytes(const void* data, std::size_t size) noexcept {
  const auto* bytes = static_cast<const unsigned char*>(data);
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a offset basis and prime
  for (std::size_t i = 0; i < size; ++i) {
    h = (h ^ bytes[i]) * 0x100000001b3ULL;
  }
  return mix_hash(h);
}

std::size_t tensor_elements(std::span<const std::size_t> shape) {
  if (shape.empty()) {
    throw Error("neat::Tensor: a shape needs at least one axis (the rows: [N, ...])");
  }
  std::size_t n = 1;
  for (const std::size_t d : shape) {
    if (d != 0 && n > std::numeric_limits<std::size_t>::max() / d) {
      throw Error(fmt::format("neat::Tensor: shape [{}] has more elements than fit in size_t",
                              fmt::join(shape, ", ")));
    }
    n *= d;
  }
  return n;
}

void check_tensor_data(std::span<const std::size_t> shape, std::size_t data_size) {
  const std::size_t want = tensor_elements(shape);
  if (want == data_size) return;
  throw Error(fmt::format("neat::Tensor: shape [{}] needs {} elements, got {}",
                          fmt::join(shape, ", "), want, data_size));
}

void check_tensor_concat(std::size_t index, std::span<const std::size_t> first,
                         std::span<const std::size_t> shape) {
  const bool same_rows = first.size() == shape.size() &&
                         std::equal(first.begin() + 1, first.end(), shape.begin() + 1);
  if (same_rows) return;
  throw Error(fmt::format("neat::Tensor::concat_rows: piece {} has shape [{}], piece 0 has [{}]; "
                          "every piece needs the same row shape (all axes but the first)",
                          index, fmt::join(shape, ", "), fmt::join(first, ", ")));
}

}  // namespace neat::detail
