// BatchResultCache and cached_run: remember the result of each item, so a batch function only
// computes the items it has not seen. [batch.cache]
//
// Keyed per item, by a 64-bit hash of the input item (BatchTraits<B>::hash(batch, i)): requests
// are batched differently every time, so a per-batch key would rarely hit. Two items with equal
// hashes are taken as equal (64 bits: collisions are unlikely, not impossible; use it where a
// wrong hit would be tolerable or the hash is exact). Each entry is a one-item result batch.
// Bounded to `capacity` items, least recently used evicted first.
//
// cached_run(cache, batch, fn): looks every item up; calls fn once, on this thread, with a
// batch of the misses (in batch order, items with equal hashes only once), unless all hit;
// stores their results; returns one result per item, in batch order. fn must return exactly
// one item per input item, else neat::Error and nothing is stored.
//
// Thread-safety: every member and cached_run may be called from any thread (one mutex, never
// held while fn runs). Two concurrent runs that miss the same item may both compute it.
//
//   neat::BatchResultCache<std::vector<float>> cache(10'000);
//   std::vector<float> out = neat::cached_run(cache, tokens, [](const std::vector<int>& misses) {
//     return embed(misses);                      // only the tokens not cached
//   });
//   auto s = cache.stats();                      // s.hits, s.misses, s.evictions, s.size
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "neat/batch/batch_traits.hpp"
#include "neat/detail/thread_annotations.hpp"

namespace neat {

struct BatchCacheStats {
  std::uint64_t hits = 0;       // lookups that found an entry
  std::uint64_t misses = 0;     // lookups that did not
  std::uint64_t evictions = 0;  // entries dropped for room
  std::size_t size = 0;         // entries now
  std::size_t capacity = 0;
};

namespace detail {
void check_cache_capacity(std::size_t capacity);
void check_cache_entry(std::size_t items);
void check_cached_result(std::size_t result_items, std::size_t misses);
}  // namespace detail

template <Batchable R>
class BatchResultCache {
 public:
  /// Throws neat::Error for capacity 0.
  explicit BatchResultCache(std::size_t capacity) : capacity_(capacity) {
    detail::check_cache_capacity(capacity);
  }

  /// The stored one-item result for `key` (counted as a hit, and made most recent), or nullopt
  /// (counted as a miss).
  [[nodiscard]] std::optional<R> find(std::uint64_t key) {
    detail::LockGuard lock(mutex_);
    const auto it = index_.find(key);
    if (it == index_.end()) {
      ++stats_.misses;
      return std::nullopt;
    }
    ++stats_.hits;
    entries_.splice(entries_.begin(), entries_, it->second);
    return it->second->second;
  }

  /// Store (or replace) the result for `key`; `item` must hold exactly one item (else
  /// neat::Error). Evicts the least recently used entry when full.
  void insert(std::uint64_t key, R item) {
    detail::check_cache_entry(batch_size(item));
    detail::LockGuard lock(mutex_);
    if (const auto it = index_.find(key); it != index_.end()) {
      it->second->second = std::move(item);
      entries_.splice(entries_.begin(), entries_, it->second);
      return;
    }
    if (index_.size() == capacity_) {
      index_.erase(entries_.back().first);
      entries_.pop_back();
      ++stats_.evictions;
    }
    entries_.emplace_front(key, std::move(item));
    index_.emplace(key, entries_.begin());
  }

  void clear() {
    detail::LockGuard lock(mutex_);
    index_.clear();
    entries_.clear();
  }

  [[nodiscard]] BatchCacheStats stats() const {
    detail::LockGuard lock(mutex_);
    BatchCacheStats s = stats_;
    s.size = index_.size();
    s.capacity = capacity_;
    return s;
  }

 private:
  using Entries = std::list<std::pair<std::uint64_t, R>>;  // most recently used first
  const std::size_t capacity_;
  mutable detail::Mutex mutex_;
  Entries entries_ NEAT_GUARDED_BY(mutex_);
  std::unordered_map<std::uint64_t, typename Entries::iterator> index_ NEAT_GUARDED_BY(mutex_);
  BatchCacheStats stats_ NEAT_GUARDED_BY(mutex_);
};

namespace detail {

// Store the computed result of each missing key.
template <class R>
void store_misses(BatchResultCache<R>& cache, const R& computed,
                  const std::vector<std::uint64_t>& keys, const std::vector<std::size_t>& first) {
  for (std::size_t j = 0; j < first.size(); ++j) {
    cache.insert(keys[first[j]], BatchTraits<R>::slice(computed, j, j + 1));
  }
}

}  // namespace detail

/// See [batch.cache].
template <HashableBatch B, Batchable R, class Fn>
  requires std::invocable<Fn&, const B&> &&
           std::convertible_to<std::invoke_result_t<Fn&, const B&>, R>
[[nodiscard]] R cached_run(BatchResultCache<R>& cache, const B& batch, Fn&& fn) {
  const std::size_t n = batch_size(batch);
  std::vector<std::uint64_t> keys(n);
  std::vector<std::optional<R>> found(n);
  std::vector<std::size_t> first;                          // first index of each missing key
  std::unordered_map<std::uint64_t, std::size_t> slot_of;  // missing key -> row of `computed`
  for (std::size_t i = 0; i < n; ++i) {
    keys[i] = static_cast<std::uint64_t>(BatchTraits<B>::hash(batch, i));
    found[i] = cache.find(keys[i]);
    if (!found[i] && slot_of.emplace(keys[i], first.size()).second) first.push_back(i);
  }
  if (first.size() == n) {  // every item computed (also an empty batch): no reassembly
    R computed = fn(batch);
    detail::check_cached_result(batch_size(computed), n);
    detail::store_misses(cache, computed, keys, first);
    return computed;
  }
  std::vector<B> pieces;
  pieces.reserve(first.size());
  for (const std::size_t i : first) pieces.push_back(BatchTraits<B>::slice(batch, i, i + 1));
  std::optional<R> computed;
  if (!first.empty()) {
    computed.emplace(fn(BatchTraits<B>::concat(pieces)));
    detail::check_cached_result(batch_size(*computed), first.size());
    detail::store_misses(cache, *computed, keys, first);
  }
  std::vector<R> parts;
  parts.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (found[i]) {
      parts.push_back(std::move(*found[i]));
    } else {
      const std::size_t slot = slot_of.at(keys[i]);
      parts.push_back(BatchTraits<R>::slice(*computed, slot, slot + 1));
    }
  }
  return BatchTraits<R>::concat(parts);
}

}  // namespace neat
