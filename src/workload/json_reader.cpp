// Typed JSON reading with paths; WorkloadError. [workload.errors]
#include "json_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "neat/workload/workload.hpp"

namespace neat {

WorkloadError::WorkloadError(std::string source, std::string json_path, std::string problem)
    : Error(json_path.empty() ? fmt::format("{}: {}", source, problem)
                              : fmt::format("{}: {}: {}", source, json_path, problem)),
      source_(std::move(source)),
      json_path_(std::move(json_path)),
      problem_(std::move(problem)) {}

namespace detail {
namespace {

// Tracks the path during parsing so that a duplicate object key can be named: nlohmann keeps
// the last of two equal keys silently, which would hide a typo-like mistake.
class DuplicateKeyCheck {
 public:
  explicit DuplicateKeyCheck(const JsonReader& reader) : reader_(reader) {}

  bool operator()(int /*depth*/, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
      case Json::parse_event_t::array_start:
        note_element();
        frames_.push_back(Frame{event == Json::parse_event_t::object_start, {}, {}, 0});
        break;
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        frames_.pop_back();
        break;
      case Json::parse_event_t::key: {
        Frame& top = frames_.back();
        top.key = parsed.get<std::string>();
        if (std::find(top.keys.begin(), top.keys.end(), top.key) != top.keys.end()) {
          reader_.fail(path(), fmt::format("duplicate key '{}'", top.key));
        }
        top.keys.push_back(top.key);
        break;
      }
      case Json::parse_event_t::value:
        note_element();
        break;
    }
    return true;
  }

 private:
  struct Frame {
    bool is_object;
    std::vector<std::string> keys;
    std::string key;
    std::size_t next_index;
  };

  void note_element() {
    if (!frames_.empty() && !frames_.back().is_object) ++frames_.back().next_index;
  }

  std::string path() const {
    std::string p;
    for (const Frame& f : frames_) {
      p = f.is_object ? child_path(p, f.key) : child_path(p, f.next_index - 1);
    }
    return p;
  }

  const JsonReader& reader_;
  std::vector<Frame> frames_;
};

std::string json_type_name(const Json& value) {
  if (value.is_number_float()) return "a number with a fraction";
  if (value.is_number()) return "a number";
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_array()) return "an array";
  if (value.is_object()) return "an object";
  return "null";
}

}  // namespace

std::string child_path(const std::string& path, std::string_view key) {
  std::string out = path + '/';
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string child_path(const std::string& path, std::size_t index) {
  return fmt::format("{}/{}", path, index);
}

void JsonReader::fail(const std::string& path, std::string problem) const {
  throw WorkloadError(source_, path.empty() ? "(root)" : path, std::move(problem));
}

Json JsonReader::parse(std::string_view text) const {
  try {
    return Json::parse(text.begin(), text.end(), DuplicateKeyCheck(*this));
  } catch (const Json::parse_error& e) {
    // what() is "[json.exception.parse_error.101] parse error at line L, column C: ...".
    std::string_view message = e.what();
    const std::size_t start = message.find("] ");
    if (start != std::string_view::npos) message.remove_prefix(start + 2);
    throw WorkloadError(source_, "", fmt::format("invalid JSON: {}", message));
  }
}

void JsonReader::expect_type(const JsonNode& node, bool ok, std::string_view expected) const {
  if (!ok)
    fail(node.path, fmt::format("expected {}, got {}", expected, json_type_name(node.value)));
}

void JsonReader::expect_object(const JsonNode& node) const {
  expect_type(node, node.value.is_object(), "an object");
}

void JsonReader::expect_object(const JsonNode& node,
                               std::initializer_list<std::string_view> allowed) const {
  expect_object(node);
  for (const auto& [key, value] : node.value.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    // Suggest a name only when it is close: one edit per three characters, at least one.
    std::string_view closest;
    std::size_t best = std::max<std::size_t>(1, key.size() / 3) + 1;
    for (std::string_view candidate : allowed) {
      const std::size_t d = edit_distance(key, candidate);
      if (d < best && d < key.size()) {
        best = d;
        closest = candidate;
      }
    }
    if (!closest.empty()) {
      fail(child_path(node.path, key),
           fmt::format("unknown key '{}' (did you mean '{}'?)", key, closest));
    }
    fail(child_path(node.path, key),
         fmt::format("unknown key '{}' (allowed: {})", key, fmt::join(allowed, ", ")));
  }
}

const Json* JsonReader::find(const JsonNode& node, std::string_view key) const {
  const auto it = node.value.find(key);
  return it == node.value.end() ? nullptr : &*it;
}

JsonNode JsonReader::require(const JsonNode& node, std::string_view key) const {
  const Json* value = find(node, key);
  if (value == nullptr) fail(node.path, fmt::format("missing required field '{}'", key));
  return JsonNode{*value, child_path(node.path, key)};
}

JsonNode JsonReader::member(const JsonNode& node, std::string_view key) const {
  return JsonNode{node.value.at(key), child_path(node.path, key)};
}

std::string JsonReader::string(const JsonNode& node) const {
  expect_type(node, node.value.is_string(), "a string");
  return node.value.get<std::string>();
}

bool JsonReader::boolean(const JsonNode& node) const {
  expect_type(node, node.value.is_boolean(), "a boolean");
  return node.value.get<bool>();
}

std::string JsonReader::name(const JsonNode& node) const {
  std::string text = string(node);
  if (text.empty()) fail(node.path, "must not be empty");
  return text;
}

double JsonReader::number(const JsonNode& node, bool positive, double max) const {
  expect_type(node, node.value.is_number(), "a number");
  const double v = node.value.get<double>();
  if (positive ? !(v > 0.0) : v < 0.0) {
    fail(node.path, fmt::format("must be {}, got {}", positive ? "positive" : "non-negative",
                                node.value.dump()));
  }
  if (v > max) {
    fail(node.path, fmt::format("must be at most {:.0f}, got {}", max, node.value.dump()));
  }
  return v;
}

std::uint64_t JsonReader::integer(const JsonNode& node, bool positive, std::uint64_t max) const {
  expect_type(node, node.value.is_number(), "an integer");
  const double v = node.value.get<double>();
  if (std::trunc(v) != v) {
    fail(node.path, fmt::format("expected an integer, got {}", node.value.dump()));
  }
  if (positive ? v < 1.0 : v < 0.0) {
    fail(node.path, fmt::format("must be {}, got {}", positive ? "positive" : "non-negative",
                                node.value.dump()));
  }
  if (v > static_cast<double>(max)) {
    fail(node.path, fmt::format("must be at most {}, got {}", max, node.value.dump()));
  }
  return node.value.is_number_unsigned() ? node.value.get<std::uint64_t>()
                                         : static_cast<std::uint64_t>(v);
}

std::vector<JsonNode> JsonReader::array(const JsonNode& node) const {
  expect_type(node, node.value.is_array(), "an array");
  std::vector<JsonNode> elements;
  elements.reserve(node.value.size());
  for (std::size_t i = 0; i < node.value.size(); ++i) {
    elements.push_back(JsonNode{node.value[i], child_path(node.path, i)});
  }
  return elements;
}

std::vector<std::string> JsonReader::names(const JsonNode& node) const {
  std::vector<std::string> out;
  for (const JsonNode& element : array(node)) out.push_back(name(element));
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string join(const std::vector<std::string>& items) {
  return fmt::format("{}", fmt::join(items, ", "));
}

}  // namespace detail
}  // namespace neat
