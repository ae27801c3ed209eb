// BatchTraits for std::vector and Tensor [batch.traits] [batch.tensor]: slicing, joining,
// padding, truncating, hashing, and the errors for bad arguments.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/test_support.hpp"
#include "neat/batch/batch_traits.hpp"
#include "neat/batch/tensor.hpp"

namespace neat {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test::error_of;
using Vec = std::vector<int>;
using VecTraits = BatchTraits<Vec>;
using TensorTraits = BatchTraits<Tensor<float>>;

struct NoHash {
  int value = 0;
};

static_assert(Batchable<Vec>);
static_assert(Batchable<Tensor<float>>);
static_assert(!Batchable<int>);
static_assert(HashableBatch<Vec>);
static_assert(HashableBatch<Tensor<double>>);
static_assert(Batchable<std::vector<NoHash>> && !HashableBatch<std::vector<NoHash>>);

TEST(VectorTraits, SliceConcatPadTruncate) {
  const Vec v{1, 2, 3, 4, 5};
  EXPECT_EQ(VecTraits::size(v), 5u);
  EXPECT_THAT(VecTraits::slice(v, 1, 3), ElementsAre(2, 3));
  EXPECT_TRUE(VecTraits::slice(v, 5, 5).empty());
  const std::vector<Vec> pieces{{1}, {}, {2, 3}};
  EXPECT_THAT(VecTraits::concat(pieces), ElementsAre(1, 2, 3));
  EXPECT_TRUE(VecTraits::concat({}).empty());
  EXPECT_THAT(VecTraits::pad(v, 7), ElementsAre(1, 2, 3, 4, 5, 5, 5));
  EXPECT_EQ(VecTraits::pad(v, 5), v);
  EXPECT_THAT(VecTraits::truncate(v, 2), ElementsAre(1, 2));
  EXPECT_EQ(batch_size(v), 5u);
}

TEST(VectorTraits, BadArgumentsNameTheOperationAndNumbers) {
  const Vec v{1, 2, 3};
  EXPECT_THAT(error_of([&] { (void)VecTraits::slice(v, 2, 4); }),
              HasSubstr("BatchTraits<std::vector>::slice: items [2, 4) of a batch of 3 items"));
  EXPECT_THAT(error_of([&] { (void)VecTraits::slice(v, 2, 1); }), HasSubstr("[2, 1)"));
  EXPECT_THAT(error_of([&] { (void)VecTraits::pad(Vec{}, 4); }),
              HasSubstr("cannot pad an empty batch to 4 items"));
  EXPECT_THAT(error_of([&] { (void)VecTraits::pad(v, 2); }),
              HasSubstr("2 items is fewer than the batch's 3"));
  EXPECT_THAT(error_of([&] { (void)VecTraits::truncate(v, 4); }),
              HasSubstr("4 items is more than the batch's 3"));
  EXPECT_THAT(error_of([&] { (void)VecTraits::hash(v, 3); }), HasSubstr("item 3 of a batch of 3"));
}

TEST(VectorTraits, HashDependsOnTheItemOnly) {
  const Vec a{7, 8, 7};
  EXPECT_EQ(VecTraits::hash(a, 0), VecTraits::hash(a, 2));
  EXPECT_NE(VecTraits::hash(a, 0), VecTraits::hash(a, 1));
  EXPECT_EQ(VecTraits::hash(a, 1), VecTraits::hash(Vec{8}, 0));
  const std::vector<std::string> words{"x", "y"};
  EXPECT_NE(BatchTraits<std::vector<std::string>>::hash(words, 0),
            BatchTraits<std::vector<std::string>>::hash(words, 1));
}

Tensor<float> counting(std::size_t rows, std::size_t width) {
  Tensor<float> t({rows, width});
  for (std::size_t i = 0; i < t.data().size(); ++i) t.data()[i] = static_cast<float>(i);
  return t;
}

TEST(TensorTest, ShapeRowsAndRowAccess) {
  Tensor<float> t({4, 2, 3});
  EXPECT_EQ(t.rows(), 4u);
  EXPECT_EQ(t.row_size(), 6u);
  EXPECT_EQ(t.data().size(), 24u);
  t.row(2)[5] = 9.0F;
  EXPECT_EQ(t.data()[2 * 6 + 5], 9.0F);
  const Tensor<float>& c = t;
  EXPECT_EQ(c.row(2)[5], 9.0F);
  EXPECT_EQ(c.data()[0], 0.0F);
  const Tensor<float> empty;
  EXPECT_EQ(empty.rows(), 0u);
  EXPECT_THAT(empty.shape(), ElementsAre(0u));
  const Tensor<int> flat({3}, {1, 2, 3});
  EXPECT_EQ(flat.row_size(), 1u);
  EXPECT_EQ(flat.row(1)[0], 2);
}

TEST(TensorTest, SliceAndConcatAlongTheFirstAxis) {
  const Tensor<float> t = counting(5, 2);
  const Tensor<float> mid = t.slice_rows(1, 3);
  EXPECT_THAT(mid.shape(), ElementsAre(2u, 2u));
  EXPECT_THAT(std::vector<float>(mid.data().begin(), mid.data().end()), ElementsAre(2, 3, 4, 5));
  const std::vector<Tensor<float>> pieces{t.slice_rows(0, 2), t.slice_rows(2, 2),
                                          t.slice_rows(2, 5)};
  EXPECT_EQ(Tensor<float>::concat_rows(pieces), t);
  EXPECT_EQ(Tensor<float>::concat_rows({}), Tensor<float>());
  EXPECT_EQ(TensorTraits::concat(pieces), t);
  EXPECT_EQ(TensorTraits::slice(t, 1, 3), mid);
}

TEST(TensorTest, PadRepeatsTheLastRowAndTruncateDropsTheTail) {
  const Tensor<float> t = counting(2, 3);
  const Tensor<float> padded = TensorTraits::pad(t, 4);
  EXPECT_THAT(padded.shape(), ElementsAre(4u, 3u));
  for (std::size_t r = 1; r < 4; ++r) {
    EXPECT_THAT(std::vector<float>(padded.row(r).begin(), padded.row(r).end()),
                ElementsAre(3, 4, 5));
  }
  EXPECT_EQ(TensorTraits::truncate(padded, 2), t);
  EXPECT_EQ(TensorTraits::size(padded), 4u);
}

TEST(TensorTest, HashIsPerRowContent) {
  Tensor<float> t({3, 2}, {1, 2, 3, 4, 1, 2});
  EXPECT_EQ(TensorTraits::hash(t, 0), TensorTraits::hash(t, 2));
  EXPECT_NE(TensorTraits::hash(t, 0), TensorTraits::hash(t, 1));
}

TEST(TensorTest, BadShapesAndIndicesAreErrors) {
  EXPECT_THAT(error_of([] { Tensor<float> t(std::vector<std::size_t>{}); }),
              HasSubstr("needs at least one axis"));
  EXPECT_THAT(error_of([] { Tensor<int> t({2, 2}, {1, 2, 3}); }),
              HasSubstr("shape [2, 2] needs 4 elements, got 3"));
  EXPECT_THAT(error_of([] { Tensor<char> t({1ULL << 40, 1ULL << 40}); }),
              HasSubstr("more elements than fit"));
  const Tensor<float> t = counting(2, 3);
  EXPECT_THAT(error_of([&] { (void)t.row(2); }), HasSubstr("neat::Tensor: item 2 of a batch of 2"));
  EXPECT_THAT(error_of([&] { (void)t.slice_rows(1, 3); }),
              HasSubstr("BatchTraits<neat::Tensor>::slice: items [1, 3)"));
  const std::vector<Tensor<float>> mixed{t, counting(2, 4)};
  EXPECT_THAT(error_of([&] { (void)Tensor<float>::concat_rows(mixed); }),
              HasSubstr("piece 1 has shape [2, 4], piece 0 has [2, 3]"));
  const std::vector<Tensor<float>> ranks{t, Tensor<float>({2})};
  EXPECT_THAT(error_of([&] { (void)Tensor<float>::concat_rows(ranks); }),
              HasSubstr("piece 1 has shape [2]"));
  EXPECT_THAT(error_of([&] { (void)TensorTraits::pad(Tensor<float>(), 2); }),
              HasSubstr("cannot pad an empty batch"));
  EXPECT_THAT(error_of([&] { (void)TensorTraits::truncate(t, 3); }),
              HasSubstr("3 items is more than the batch's 2"));
}

}  // namespace
}  // namespace neat
