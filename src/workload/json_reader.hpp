// Typed reading of workload JSON with the JSON-pointer path of every value, so that each error
// names the file, the path and the problem. Internal to the workload layer.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace neat::detail {

using Json = nlohmann::json;

/// A JSON value and where it is ("" is the document root, "/operations/3/kernel/m" a member).
struct JsonNode {
  const Json& value;
  std::string path;
};

/// The path of member `key` / element `index` of the value at `path` (JSON-pointer escaped).
[[nodiscard]] std::string child_path(const std::string& path, std::string_view key);
[[nodiscard]] std::string child_path(const std::string& path, std::size_t index);

class JsonReader {
 public:
  explicit JsonReader(std::string_view source) : source_(source) {}

  /// Throw WorkloadError(source, path, problem).
  [[noreturn]] void fail(const std::string& path, std::string problem) const;

  /// Parse text; syntax errors and duplicate object keys become WorkloadErrors.
  [[nodiscard]] Json parse(std::string_view text) const;

  /// The node must be an object.
  void expect_object(const JsonNode& node) const;
  /// The node must be an object whose keys are all in `allowed` (typos are refused).
  void expect_object(const JsonNode& node, std::initializer_list<std::string_view> allowed) const;
  /// The member `key` of an object node, or nullptr when absent.
  [[nodiscard]] const Json* find(const JsonNode& node, std::string_view key) const;
  /// The member `key`; a WorkloadError "missing required field" when absent.
  [[nodiscard]] JsonNode require(const JsonNode& node, std::string_view key) const;
  [[nodiscard]] JsonNode member(const JsonNode& node, std::string_view key) const;

  [[nodiscard]] std::string string(const JsonNode& node) const;
  [[nodiscard]] bool boolean(const JsonNode& node) const;
  /// A string that is not empty.
  [[nodiscard]] std::string name(const JsonNode& node) const;
  /// A number in (0, max] (`positive`) or [0, max].
  [[nodiscard]] double number(const JsonNode& node, bool positive, double max) const;
  /// An integral number in [1, max] (`positive`) or [0, max].
  [[nodiscard]] std::uint64_t integer(const JsonNode& node, bool positive, std::uint64_t max) const;
  /// An array's elements, each with its path.
  [[nodiscard]] std::vector<JsonNode> array(const JsonNode& node) const;
  /// An array of non-empty strings.
  [[nodiscard]] std::vector<std::string> names(const JsonNode& node) const;

 private:
  void expect_type(const JsonNode& node, bool ok, std::string_view expected) const;
  std::string source_;
};

/// Levenshtein distance, for "did you mean" hints.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);
/// "a, b, c".
[[nodiscard]] std::string join(const std::vector<std::string>& items);

}  // namespace neat::detail
