// Checks and hashing shared by the BatchTraits specialisations (compiled in src/batch). Each
// check throws neat::Error naming the batch type, the operation and the numbers. Internal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace neat::detail {

/// slice(b, begin, end) needs begin <= end <= size.
void check_slice(const char* type, std::size_t begin, std::size_t end, std::size_t size);
/// pad(b, n) needs a last item to repeat (size > 0) and n >= size.
void check_pad(const char* type, std::size_t size, std::size_t n);
/// truncate(b, n) needs n <= size.
void check_truncate(const char* type, std::size_t size, std::size_t n);
/// Item (or row) `index` of `size`.
void check_item(const char* type, std::size_t index, std::size_t size);

/// The splitmix64 finaliser: spreads weak hashes (std::hash<int> is the identity) over 64 bits.
[[nodiscard]] constexpr std::uint64_t mix_hash(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27U)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31U);
}
/// FNV-1a over the bytes, then mix_hash.
[[nodiscard]] std::uint64_t hash_bytes(const void* data, std::size_t size) noexcept;

/// Tensor: the element count of `shape` (non-empty; throws on overflow).
[[nodiscard]] std::size_t tensor_elements(std::span<const std::size_t> shape);
/// Tensor: `data_size` must equal the element count of `shape`.
void check_tensor_data(std::span<const std::size_t> shape, std::size_t data_size);
/// Tensor: piece `index` of a concatenation must have the trailing shape of piece 0.
void check_tensor_concat(std::size_t index, std::span<const std::size_t> first,
                         std::span<const std::size_t> shape);

}  // namespace neat::detail
