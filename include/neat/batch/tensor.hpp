// Tensor<T>: a contiguous row-major array of shape [N, d1, ..., dk] that owns its elements, seen
// as a batch of N rows (each row d1 x ... x dk elements). It is the batch type for model inputs
// and outputs in the batch operations; BatchTraits<Tensor<T>> slices and concatenates along the
// first axis, pads by repeating the last row, and hashes a row's bytes. [batch.tensor]
//
// Errors: a shape without axes, data of the wrong length, a row index out of range, or pieces
// of different row shapes throw neat::Error with the shapes and numbers.
// Thread-safety: like std::vector: const members may be called concurrently.
//
//   neat::Tensor<float> x({4, 3});                  // 4 rows of 3 zeros
//   x.row(1)[2] = 5.0F;
//   neat::Tensor<float> top = x.slice_rows(0, 2);    // shape [2, 3]
//   auto both = neat::Tensor<float>::concat_rows(std::vector{top, top});   // shape [4, 3]
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "neat/batch/batch_traits.hpp"
#include "neat/detail/batch_traits_checks.hpp"

namespace neat {

template <class T>
class Tensor {
 public:
  using value_type = T;

  /// Shape [0]: no rows.
  Tensor() = default;
  /// Value-initialised elements.
  explicit Tensor(std::vector<std::size_t> shape)
      : shape_(std::move(shape)), data_(detail::tensor_elements(shape_)) {}
  /// Takes `data` (row-major); its length must be the shape's element count.
  Tensor(std::vector<std::size_t> shape, std::vector<T> data)
      : shape_(std::move(shape)), data_(std::move(data)) {
    detail::check_tensor_data(shape_, data_.size());
  }

  [[nodiscard]] const std::vector<std::size_t>& shape() const noexcept { return shape_; }
  /// N, the first axis.
  [[nodiscard]] std::size_t rows() const noexcept { return shape_.front(); }
  /// Elements per row: d1 x ... x dk (1 for shape [N]).
  [[nodiscard]] std::size_t row_size() const noexcept {
    std::size_t n = 1;
    for (std::size_t i = 1; i < shape_.size(); ++i) n *= shape_[i];
    return n;
  }
  [[nodiscard]] std::span<T> data() noexcept { return data_; }
  [[nodiscard]] std::span<const T> data() const noexcept { return data_; }

  /// Row `i`; throws neat::Error when i >= rows().
  [[nodiscard]] std::span<T> row(std::size_t i) {
    detail::check_item("neat::Tensor", i, rows());
    return std::span<T>(data_).subspan(i * row_size(), row_size());
  }
  [[nodiscard]] std::span<const T> row(std::size_t i) const {
    detail::check_item("neat::Tensor", i, rows());
    return std::span<const T>(data_).subspan(i * row_size(), row_size());
  }

  /// Rows [begin, end) as a new tensor; throws unless begin <= end <= rows().
  [[nodiscard]] Tensor slice_rows(std::size_t begin, std::size_t end) const {
    detail::check_slice("neat::Tensor", begin, end, rows());
    const std::size_t width = row_size();
    using Diff = typename std::vector<T>::difference_type;
    std::vector<T> data(data_.begin() + static_cast<Diff>(begin * width),
                        data_.begin() + static_cast<Diff>(end * width));
    return Tensor(with_rows(end - begin), std::move(data), Unchecked{});
  }

  /// The pieces' rows in order; every piece must have the row shape of the first. No pieces:
  /// a tensor of shape [0].
  [[nodiscard]] static Tensor concat_rows(std::span<const Tensor> pieces) {
    if (pieces.empty()) return Tensor();
    std::size_t rows = 0;
    std::size_t elements = 0;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      detail::check_tensor_concat(i, pieces[0].shape_, pieces[i].shape_);
      rows += pieces[i].rows();
      elements += pieces[i].data_.size();
    }
    std::vector<T> data;
    data.reserve(elements);
    for (const Tensor& p : pieces) data.insert(data.end(), p.data_.begin(), p.data_.end());
    return Tensor(pieces[0].with_rows(rows), std::move(data), Unchecked{});
  }

  friend bool operator==(const Tensor&, const Tensor&) = default;

 private:
  struct Unchecked {};
  Tensor(std::vector<std::size_t> shape, std::vector<T> data, Unchecked /*tag*/) noexcept
      : shape_(std::move(shape)), data_(std::move(data)) {}

  [[nodiscard]] std::vector<std::size_t> with_rows(std::size_t rows) const {
    std::vector<std::size_t> shape = shape_;
    shape.front() = rows;
    return shape;
  }

  std::vector<std::size_t> shape_{0};
  std::vector<T> data_{};
};

/// A tensor is a batch of its rows.
template <class T>
struct BatchTraits<Tensor<T>> {
  using Batch = Tensor<T>;

  static std::size_t size(const Batch& b) noexcept { return b.rows(); }
  static Batch slice(const Batch& b, std::size_t begin, std::size_t end) {
    return b.slice_rows(begin, end);
  }
  static Batch concat(std::span<const Batch> pieces) { return Batch::concat_rows(pieces); }

  static Batch pad(const Batch& b, std::size_t n) {
    detail::check_pad("neat::Tensor", b.rows(), n);
    std::vector<Batch> pieces{b};
    const Batch last = b.slice_rows(b.rows() - 1, b.rows());
    pieces.resize(1 + n - b.rows(), last);
    return Batch::concat_rows(pieces);
  }

  static Batch truncate(const Batch& b, std::size_t n) {
    detail::check_truncate("neat::Tensor", b.rows(), n);
    return b.slice_rows(0, n);
  }

  /// The bytes of row i (so 0.0 and -0.0 hash differently).
  static std::uint64_t hash(const Batch& b, std::size_t i)
    requires std::is_trivially_copyable_v<T>
  {
    const std::span<const T> row = b.row(i);
    return detail::hash_bytes(row.data(), row.size_bytes());
  }
};

}  // namespace neat
