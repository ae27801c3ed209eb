// The BatchOptimizer's cache file: reading with an error for every malformed part, writing by
// rename. [batch.opt.cache]
#include "batch_optimizer_cache.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "neat/common/error.hpp"

namespace neat::detail {
namespace {

using Json = nlohmann::json;
constexpr const char* k_format = "neatsched-batch-sizes";
constexpr int k_version = 1;

class CacheReader {
 public:
  explicit CacheReader(const std::string& file) : file_(file) {}

  [[noreturn]] void fail(const std::string& at, const std::string& problem) const {
    throw Error(fmt::format("{}: {}: {}", file_, at.empty() ? "(root)" : at, problem));
  }

  void expect_object(const Json& node, const std::string& at,
                     std::initializer_list<const char*> keys) const {
    if (!node.is_object()) fail(at, fmt::format("expected an object, got {}", node.type_name()));
    for (const auto& item : node.items()) {
      bool known = false;
      for (const char* key : keys) known = known || item.key() == key;
      if (!known) fail(at + "/" + item.key(), "unknown field");
    }
    for (const char* key : keys) {
      if (!node.contains(key)) fail(at, fmt::format("missing required field '{}'", key));
    }
  }

  std::string text(const Json& node, const std::string& at) const {
    if (!node.is_string()) fail(at, fmt::format("expected a string, got {}", node.type_name()));
    std::string value = node.get<std::string>();
    if (value.empty()) fail(at, "must not be empty");
    return value;
  }

  std::uint64_t count(const Json& node, const std::string& at, std::uint64_t least) const {
    if (!node.is_number_unsigned() || node.get<std::uint64_t>() < least) {
      fail(at, fmt::format("expected an integer >= {}, got {}", least, node.dump()));
    }
    return node.get<std::uint64_t>();
  }

  double rate(const Json& node, const std::string& at) const {
    if (!node.is_number() || !std::isfinite(node.get<double>()) || node.get<double>() < 0) {
      fail(at, fmt::format("expected a finite number >= 0, got {}", node.dump()));
    }
    return node.get<double>();
  }

 private:
  std::string file_;
};

BatchSizeEntry read_entry(const CacheReader& r, const Json& node, const std::string& at) {
  r.expect_object(node, at,
                  {"component", "hardware", "size", "items_per_second", "min_size", "max_size",
                   "latency_limit_ns"});
  BatchSizeEntry e;
  e.component = r.text(node["component"], at + "/component");
  e.hardware = r.text(node["hardware"], at + "/hardware");
  e.size = r.count(node["size"], at + "/size", 1);
  e.items_per_second = r.rate(node["items_per_second"], at + "/items_per_second");
  e.min_size = r.count(node["min_size"], at + "/min_size", 1);
  e.max_size = r.count(node["max_size"], at + "/max_size", e.min_size);
  const std::uint64_t limit = r.count(node["latency_limit_ns"], at + "/latency_limit_ns", 0);
  if (limit > static_cast<std::uint64_t>(INT64_MAX)) r.fail(at + "/latency_limit_ns", "too large");
  e.latency_limit_ns = static_cast<std::int64_t>(limit);
  if (e.size < e.min_size || e.size > e.max_size) {
    r.fail(at + "/size", fmt::format("{} is outside min_size..max_size ({}..{})", e.size,
                                     e.min_size, e.max_size));
  }
  return e;
}

std::vector<BatchSizeEntry> parse(const std::string& file, const std::string& text) {
  const CacheReader r(file);
  Json doc;
  try {
    doc = Json::parse(text);
  } catch (const Json::parse_error& e) {
    r.fail("", fmt::format("not valid JSON (byte {})", e.byte));
  }
  r.expect_object(doc, "", {"format", "version", "entries"});
  if (!doc["format"].is_string() || doc["format"].get<std::string>() != k_format) {
    r.fail("/format", fmt::format("expected \"{}\", got {}", k_format, doc["format"].dump()));
  }
  if (!doc["version"].is_number_integer() || doc["version"].get<std::int64_t>() != k_version) {
    r.fail("/version", fmt::format("unsupported version {} (this build reads {})",
                                   doc["version"].dump(), k_version));
  }
  if (!doc["entries"].is_array()) r.fail("/entries", "expected an array");
  std::vector<BatchSizeEntry> entries;
  for (std::size_t i = 0; i < doc["entries"].size(); ++i) {
    const std::string at = fmt::format("/entries/{}", i);
    entries.push_back(read_entry(r, doc["entries"][i], at));
    for (std::size_t j = 0; j < i; ++j) {
      if (entries[j].component == entries[i].component &&
          entries[j].hardware == entries[i].hardware) {
        r.fail(at, fmt::format("the same component and hardware as /entries/{}", j));
      }
    }
  }
  return entries;
}

std::optional<std::string> read_text(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  const bool directory = std::filesystem::is_directory(path, ec);
  std::ifstream in(path);
  if (directory || !in) {
    throw Error(fmt::format("{}: cannot read the batch size cache: {}", path,
                            directory ? "it is a directory" : std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Json to_json(const BatchSizeEntry& e) {
  return {{"component", e.component},
          {"hardware", e.hardware},
          {"size", e.size},
          {"items_per_second", e.items_per_second},
          {"min_size", e.min_size},
          {"max_size", e.max_size},
          {"latency_limit_ns", e.latency_limit_ns}};
}

// A temporary name of this writer's own, so that two writers never share one.
std::string temporary_name(const std::string& path) {
  static std::atomic<std::uint64_t> counter{0};
  return fmt::format("{}.{}.{}.tmp", path, ::getpid(),
                     counter.fetch_add(1, std::memory_order_relaxed));
}

}  // namespace

std::vector<BatchSizeEntry> read_batch_sizes(const std::string& path) {
  const auto text = read_text(path);
  return text ? parse(path, *text) : std::vector<BatchSizeEntry>{};
}

void store_batch_size(const std::string& path, const BatchSizeEntry& entry) {
  Json entries = Json::array();
  for (const BatchSizeEntry& e : read_batch_sizes(path)) {
    if (e.component != entry.component || e.hardware != entry.hardware) {
      entries.push_back(to_json(e));
    }
  }
  entries.push_back(to_json(entry));
  const Json doc = {{"format", k_format}, {"version", k_version}, {"entries", entries}};
  const std::string tmp = temporary_name(path);
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << doc.dump(1) << '\n';
    if (!out.flush()) {
      std::remove(tmp.c_str());
      throw Error(
          fmt::format("{}: cannot write the batch size cache: {}", path, std::strerror(errno)));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    throw Error(fmt::format("{}: cannot write the batch size cache: {}", path, std::strerror(err)));
  }
}

}  // namespace neat::detail
