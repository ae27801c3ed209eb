// BatchTraits: how the batch operations (split_run, run_with_memory_retry, pad_to_bucket,
// cached_run) see a user's batch type. A batch is an ordered sequence of items; the traits say
// how many there are and how to cut, join, grow and shorten it. [batch.traits]
//
// A specialisation provides, as static members (B is the batch type):
//   size(const B&) -> std::size_t                 the number of items
//   slice(const B&, begin, end) -> B              items [begin, end); begin <= end <= size
//   concat(std::span<const B> pieces) -> B        the pieces' items in order (none: empty batch)
//   pad(const B&, n) -> B                         grown to n >= size items by repeating the LAST
//                                                 item (a real input, so a model never sees a
//                                                 filler it was not trained on); an empty batch
//                                                 cannot be padded
//   truncate(const B&, n) -> B                    the first n <= size items
//   hash(const B&, i) -> std::uint64_t            optional: a hash of item i, for the per-item
//                                                 result cache (BatchResultCache)
// Bad arguments throw neat::Error with the type, the operation and the numbers.
//
// Provided: std::vector<T> (hash when std::hash<T> exists) and neat::Tensor<T> (tensor.hpp).
//
// Thread-safety: the provided members are pure functions of their arguments (safe to call
// concurrently on batches nobody modifies).
//
//   template <> struct neat::BatchTraits<MyBatch> { static std::size_t size(const MyBatch&); ... };
//   static_assert(neat::Batchable<MyBatch>);
//   std::vector<int> v{1, 2, 3};
//   auto padded = neat::BatchTraits<std::vector<int>>::pad(v, 5);   // {1, 2, 3, 3, 3}
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "neat/detail/batch_traits_checks.hpp"

namespace neat {

/// The customisation point; specialise it for your batch type.
template <class B>
struct BatchTraits;

/// B has complete BatchTraits (everything but hash).
template <class B>
concept Batchable = std::copy_constructible<B> && std::movable<B> &&
                    requires(const B& b, std::span<const B> pieces, std::size_t n) {
                      { BatchTraits<B>::size(b) } -> std::convertible_to<std::size_t>;
                      { BatchTraits<B>::slice(b, n, n) } -> std::same_as<B>;
                      { BatchTraits<B>::concat(pieces) } -> std::same_as<B>;
                      { BatchTraits<B>::pad(b, n) } -> std::same_as<B>;
                      { BatchTraits<B>::truncate(b, n) } -> std::same_as<B>;
                    };

/// B is Batchable and its items can be hashed one by one (for BatchResultCache).
template <class B>
concept HashableBatch = Batchable<B> && requires(const B& b, std::size_t i) {
  { BatchTraits<B>::hash(b, i) } -> std::convertible_to<std::uint64_t>;
};

/// The number of items of `batch`.
template <Batchable B>
[[nodiscard]] std::size_t batch_size(const B& batch) {
  return static_cast<std::size_t>(BatchTraits<B>::size(batch));
}

/// A vector is a batch of its elements.
template <class T, class A>
struct BatchTraits<std::vector<T, A>> {
  using Batch = std::vector<T, A>;

  static std::size_t size(const Batch& b) noexcept { return b.size(); }

  static Batch slice(const Batch& b, std::size_t begin, std::size_t end) {
    detail::check_slice("std::vector", begin, end, b.size());
    using Diff = typename Batch::difference_type;
    return Batch(b.begin() + static_cast<Diff>(begin), b.begin() + static_cast<Diff>(end),
                 b.get_allocator());
  }

  static Batch concat(std::span<const Batch> pieces) {
    std::size_t total = 0;
    for (const Batch& p : pieces) total += p.size();
    Batch out = pieces.empty() ? Batch() : Batch(pieces.front().get_allocator());
    out.reserve(total);
    for (const Batch& p : pieces) out.insert(out.end(), p.begin(), p.end());
    return out;
  }

  static Batch pad(const Batch& b, std::size_t n) {
    detail::check_pad("std::vector", b.size(), n);
    Batch out = b;
    const T last = b.back();
    out.resize(n, last);
    return out;
  }

  static Batch truncate(const Batch& b, std::size_t n) {
    detail::check_truncate("std::vector", b.size(), n);
    return slice(b, 0, n);
  }

  static std::uint64_t hash(const Batch& b, std::size_t i)
    requires requires(const T& item) {
      { std::hash<T>{}(item) } -> std::convertible_to<std::size_t>;
    }
  {
    detail::check_item("std::vector", i, b.size());
    return detail::mix_hash(static_cast<std::uint64_t>(std::hash<T>{}(b[i])));
  }
};

}  // namespace neat
