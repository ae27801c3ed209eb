// ChunkedVector: indexing across the growing and the fixed-size chunks, stable addresses,
// destruction of every element.
#include "neat/detail/chunked_vector.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace neat::detail {
namespace {

TEST(ChunkedVector, IndexesEveryElementAcrossChunkBoundaries) {
  ChunkedVector<std::uint64_t> v;
  EXPECT_TRUE(v.empty());
  constexpr std::size_t k_count = 200000;  // past the growing chunks (65472) into fixed ones
  std::vector<const std::uint64_t*> addresses;
  for (std::size_t i = 0; i < k_count; ++i) addresses.push_back(&v.emplace_back(i * 3));
  ASSERT_EQ(v.size(), k_count);
  for (std::size_t i = 0; i < k_count; ++i) {
    ASSERT_EQ(v[i], i * 3) << i;
    ASSERT_EQ(&v[i], addresses[i]) << "element " << i << " moved";
  }
  const ChunkedVector<std::uint64_t>& constant = v;
  EXPECT_EQ(constant[65471], 65471u * 3);
  EXPECT_EQ(constant[65472], 65472u * 3);
  EXPECT_GE(v.capacity_bytes(), k_count * sizeof(std::uint64_t));
  EXPECT_LE(v.capacity_bytes(), (k_count + 32768) * sizeof(std::uint64_t));
}

TEST(ChunkedVector, ClearDestroysEveryElement) {
  auto tracker = std::make_shared<int>(0);
  {
    ChunkedVector<std::shared_ptr<int>> v;
    for (int i = 0; i < 1000; ++i) v.emplace_back(tracker);
    EXPECT_EQ(tracker.use_count(), 1001);
    v.clear();
    EXPECT_EQ(tracker.use_count(), 1);
    EXPECT_EQ(v.size(), 0u);
    v.emplace_back(tracker);
  }
  EXPECT_EQ(tracker.use_count(), 1);
}

}  // namespace
}  // namespace neat::detail
