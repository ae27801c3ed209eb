// PerformanceProfiler::save and load: the JSON profile file. [sched.profile.file]
//
//   {"format": "neatsched-profile", "version": 1, "hardware": "<fingerprint>",
//    "kinds": [{"kind": "gemm",
//               "footprints": [{"size": [64, 64, 64], "samples_us": [812.5, 799.0]}]}]}
//
// Footprints are listed least recently recorded first and samples oldest first, so that a
// load into an empty profiler restores the same history and the same dropping order.
#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "neat/common/error.hpp"
#include "profiler_shard.hpp"

namespace neat {
namespace {

using Json = nlohmann::json;
constexpr const char* k_format = "neatsched-profile";
constexpr int k_version = 1;

struct FileKind {
  std::string kind;
  std::size_t dimension = 0;
  std::vector<std::pair<Footprint, std::vector<double>>> footprints;
};

// Reads the document and names the file and JSON pointer of every problem.
class ProfileReader {
 public:
  explicit ProfileReader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
    throw Error(fmt::format("{}: {}: {}", file_, path.empty() ? "(root)" : path, problem));
  }

  Json parse(const std::string& text) const {
    try {
      return Json::parse(text);
    } catch (const Json::parse_error& e) {
      const auto [line, column] = line_and_column(text, e.byte);
      throw Error(fmt::format("{}: line {}, column {}: not valid JSON", file_, line, column));
    }
  }

  void expect_keys(const Json& node, const std::string& path,
                   std::initializer_list<const char*> keys) const {
    if (!node.is_object()) fail(path, fmt::format("expected an object, got {}", node.type_name()));
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string& key = it.key();
      if (std::find_if(keys.begin(), keys.end(), [&](const char* k) { return key == k; }) ==
          keys.end()) {
        fail(path + "/" + escaped(key), "unknown field");
      }
    }
    for (const char* key : keys) {
      if (!node.contains(key)) fail(path, fmt::format("missing required field '{}'", key));
    }
  }

  const Json& array(const Json& node, const std::string& path) const {
    if (!node.is_array()) fail(path, fmt::format("expected an array, got {}", node.type_name()));
    return node;
  }

  std::string string(const Json& node, const std::string& path) const {
    if (!node.is_string()) fail(path, fmt::format("expected a string, got {}", node.type_name()));
    return node.get<std::string>();
  }

  // A number with value > 0 (`positive`) or >= 0.
  double number(const Json& node, const std::string& path, bool positive) const {
    if (!node.is_number()) fail(path, fmt::format("expected a number, got {}", node.type_name()));
    const double v = node.get<double>();
    if (positive ? !(v > 0.0) : !(v >= 0.0)) {
      fail(path, fmt::format("must be {}, got {}", positive ? "> 0" : ">= 0", node.dump()));
    }
    return v;
  }

 private:
  // A JSON-pointer reference token: "~" -> "~0", "/" -> "~1".
  static std::string escaped(const std::string& key) {
    std::string out;
    for (const char c : key) out += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    return out;
  }

  static std::pair<std::size_t, std::size_t> line_and_column(const std::string& text,
                                                             std::size_t byte) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
      column = text[i] == '\n' ? 1 : column + 1;
      line += text[i] == '\n' ? 1 : 0;
    }
    return {line, column};
  }

  std::string file_;
};

std::vector<double> read_numbers(const ProfileReader& r, const Json& node, const std::string& path,
                                 bool positive) {
  std::vector<double> out;
  for (std::size_t i = 0; i < r.array(node, path).size(); ++i) {
    out.push_back(r.number(node[i], fmt::format("{}/{}", path, i), positive));
  }
  return out;
}

FileKind read_kind(const ProfileReader& r, const Json& node, const std::string& path) {
  r.expect_keys(node, path, {"kind", "footprints"});
  FileKind kind;
  kind.kind = r.string(node["kind"], path + "/kind");
  if (kind.kind.empty()) r.fail(path + "/kind", "the kind is empty");
  const Json& list = r.array(node["footprints"], path + "/footprints");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string at = fmt::format("{}/footprints/{}", path, i);
    r.expect_keys(list[i], at, {"size", "samples_us"});
    Footprint size = read_numbers(r, list[i]["size"], at + "/size", true);
    if (i == 0) kind.dimension = size.size();
    if (size.size() != kind.dimension) {
      r.fail(at + "/size", fmt::format("{} numbers, but the first footprint of kind '{}' has {}",
                                       size.size(), kind.kind, kind.dimension));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (kind.footprints[j].first == size) {
        r.fail(at + "/size", fmt::format("the same footprint as {}/footprints/{}", path, j));
      }
    }
    auto samples = read_numbers(r, list[i]["samples_us"], at + "/samples_us", false);
    if (samples.empty()) r.fail(at + "/samples_us", "no samples");
    kind.footprints.emplace_back(std::move(size), std::move(samples));
  }
  return kind;
}

struct FileContents {
  std::string hardware;
  std::vector<FileKind> kinds;
};

FileContents read_document(const ProfileReader& r, const std::string& text) {
  const Json doc = r.parse(text);
  r.expect_keys(doc, "", {"format", "version", "hardware", "kinds"});
  if (r.string(doc["format"], "/format") != k_format) {
    r.fail("/format", fmt::format("expected \"{}\", got {}", k_format, doc["format"].dump()));
  }
  if (!doc["version"].is_number_integer() || doc["version"].get<std::int64_t>() != k_version) {
    r.fail("/version", fmt::format("unsupported version {} (this build reads {})",
                                   doc["version"].dump(), k_version));
  }
  FileContents contents{r.string(doc["hardware"], "/hardware"), {}};
  const Json& kinds = r.array(doc["kinds"], "/kinds");
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    const std::string at = fmt::format("/kinds/{}", i);
    contents.kinds.push_back(read_kind(r, kinds[i], at));
    for (std::size_t j = 0; j < i; ++j) {
      if (contents.kinds[j].kind == contents.kinds.back().kind) {
        r.fail(at + "/kind",
               fmt::format("duplicate kind '{}' (also at /kinds/{})", contents.kinds[j].kind, j));
      }
    }
  }
  return contents;
}

std::optional<std::string> read_text(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  if (std::filesystem::is_directory(path, ec)) {
    throw Error(fmt::format("{}: cannot read the profile file: it is a directory", path));
  }
  std::ifstream in(path);
  if (!in) {
    throw Error(fmt::format("{}: cannot read the profile file: {}", path, std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

void PerformanceProfiler::save(const std::string& path) const {
  std::map<std::string, Json> kinds;  // sorted by name: equal profiles give equal files
  for (std::size_t s = 0; s < detail::k_profiler_shards; ++s) {
    Shard& shard = shards_[s];
    detail::LockGuard lock(shard.mutex);
    for (const auto& [name, kind] : shard.kinds) {
      Json footprints = Json::array();
      kind.for_each_footprint([&](const Footprint& size, const std::vector<double>& samples) {
        footprints.push_back({{"size", size}, {"samples_us", samples}});
      });
      kinds[name] = {{"kind", name}, {"footprints", std::move(footprints)}};
    }
  }
  Json doc = {{"format", k_format},
              {"version", k_version},
              {"hardware", options_.hardware},
              {"kinds", Json::array()}};
  for (auto& [name, kind] : kinds) doc["kinds"].push_back(std::move(kind));
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << doc.dump(1) << '\n';
    if (!out.flush()) {
      throw Error(fmt::format("{}: cannot write the profile file: {}", path, std::strerror(errno)));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    throw Error(fmt::format("{}: cannot write the profile file: {}", path, std::strerror(err)));
  }
}

LoadStatus PerformanceProfiler::load(const std::string& path) {
  const auto text = read_text(path);
  if (!text) {
    return {LoadStatus::Outcome::no_file, 0, fmt::format("{}: no profile file yet", path)};
  }
  const FileContents contents = read_document(ProfileReader(path), *text);
  if (contents.hardware != options_.hardware) {
    return {LoadStatus::Outcome::hardware_mismatch, 0,
            fmt::format("{}: ignored: measured on \"{}\", this machine is \"{}\"", path,
                        contents.hardware, options_.hardware)};
  }
  // [sched.profile.file] Check every kind's dimension first, so that a conflict changes nothing.
  for (std::size_t i = 0; i < contents.kinds.size(); ++i) {
    const FileKind& kind = contents.kinds[i];
    if (kind.footprints.empty()) continue;
    Shard& shard = shard_for(kind.kind);
    detail::LockGuard lock(shard.mutex);
    const auto it = shard.kinds.find(kind.kind);
    if (it != shard.kinds.end() && it->second.dimension() != kind.dimension) {
      ProfileReader(path).fail(fmt::format("/kinds/{}/footprints/0/size", i),
                               fmt::format("{} numbers, but kind '{}' here has footprints of {}",
                                           kind.dimension, kind.kind, it->second.dimension()));
    }
  }
  LoadStatus status{LoadStatus::Outcome::loaded, 0, ""};
  std::vector<std::string> skipped;
  std::size_t loaded_kinds = 0;
  for (const FileKind& kind : contents.kinds) {
    if (kind.footprints.empty()) continue;
    Shard& shard = shard_for(kind.kind);
    detail::LockGuard lock(shard.mutex);
    auto it = shard.kinds.try_emplace(kind.kind, options_, kind.dimension).first;
    if (it->second.dimension() != kind.dimension) {  // recorded meanwhile by another thread
      skipped.push_back(kind.kind);
      continue;
    }
    for (const auto& [size, samples] : kind.footprints) {
      for (const double us : samples) it->second.add(size, std::max(us, k_min_sample_us));
      status.samples += samples.size();
    }
    ++loaded_kinds;
  }
  status.message =
      fmt::format("{}: loaded {} samples of {} kinds", path, status.samples, loaded_kinds);
  if (!skipped.empty()) {
    status.message += "; skipped kinds recorded meanwhile with another footprint size: " +
                      fmt::format("{}", fmt::join(skipped, ", "));
  }
  return status;
}

}  // namespace neat
