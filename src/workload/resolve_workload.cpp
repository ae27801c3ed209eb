// Checks across the parts of a workload: unique names, `repeat` expansion, `after` references
// and data names. [workload.resolve]
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "workload_parser.hpp"

namespace neat::detail {
namespace {

// Every name an `after` entry may use: each operation's own name, and the base name of a
// repeated operation, which stands for all of its copies.
struct NameEntry {
  std::string path;                 // where it was defined
  std::vector<std::size_t> copies;  // indices into the expanded operation list
};
using NameTable = std::unordered_map<std::string, NameEntry>;

void define(const JsonReader& reader, NameTable& table, const std::string& name,
            const RawOperation& raw, std::vector<std::size_t> copies) {
  const auto [it, inserted] = table.try_emplace(name, NameEntry{raw.path, std::move(copies)});
  if (!inserted) {
    reader.fail(child_path(raw.path, "name"),
                fmt::format("duplicate operation name '{}' (also {})", name, it->second.path));
  }
}

// Expand `repeat` into copies named "name#i" and register every name.
std::vector<std::size_t> expand(const JsonReader& reader, const std::vector<RawOperation>& raw,
                                NameTable& table, std::vector<OperationSpec>& expanded) {
  std::vector<std::size_t> origin;  // raw index of each expanded operation
  for (std::size_t r = 0; r < raw.size(); ++r) {
    const RawOperation& op = raw[r];
    if (op.repeat == 0) {
      define(reader, table, op.spec.name, op, {expanded.size()});
      origin.push_back(r);
      expanded.push_back(op.spec);
      continue;
    }
    std::vector<std::size_t> copies;
    for (std::uint64_t i = 0; i < op.repeat; ++i) {
      copies.push_back(expanded.size());
      define(reader, table, fmt::format("{}#{}", op.spec.name, i), op, {expanded.size()});
      origin.push_back(r);
      expanded.push_back(op.spec);
      expanded.back().name = fmt::format("{}#{}", op.spec.name, i);
    }
    define(reader, table, op.spec.name, op, std::move(copies));
  }
  return origin;
}

// Names in `after` become the names of the operations they stand for, without duplicates.
std::vector<std::string> resolve_after(const JsonReader& reader, const RawOperation& raw,
                                       const NameTable& table,
                                       const std::vector<OperationSpec>& expanded) {
  std::vector<std::string> resolved;
  for (std::size_t j = 0; j < raw.spec.after.size(); ++j) {
    const std::string& name = raw.spec.after[j];
    const auto it = table.find(name);
    if (it == table.end()) {
      reader.fail(child_path(child_path(raw.path, "after"), j),
                  fmt::format("unknown operation '{}'", name));
    }
    for (std::size_t copy : it->second.copies) {
      const std::string& target = expanded[copy].name;
      if (expanded[copy].arrive_ms > raw.spec.arrive_ms) {
        reader.fail(child_path(child_path(raw.path, "after"), j),
                    fmt::format("'{}' arrives at {} ms, later than this operation ({} ms); an "
                                "operation can only wait for one that arrives no later",
                                target, expanded[copy].arrive_ms, raw.spec.arrive_ms));
      }
      if (std::find(resolved.begin(), resolved.end(), target) == resolved.end()) {
        resolved.push_back(target);
      }
    }
  }
  return resolved;
}

// Each data name at most once per operation, and declared when the file has a "data" list.
void check_accesses(const JsonReader& reader, const RawOperation& raw,
                    const std::optional<std::vector<std::string>>& declared,
                    std::vector<std::string>& mentioned) {
  const std::pair<const char*, const std::vector<std::string>*> lists[] = {
      {"reads", &raw.spec.reads},
      {"writes", &raw.spec.writes},
      {"read_writes", &raw.spec.read_writes}};
  std::vector<std::pair<std::string, const char*>> seen;  // name, list it was in
  for (const auto& [key, names] : lists) {
    for (std::size_t j = 0; j < names->size(); ++j) {
      const std::string& name = (*names)[j];
      const std::string path = child_path(child_path(raw.path, key), j);
      const auto prior =
          std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == name; });
      if (prior != seen.end() && prior->second == key) {
        reader.fail(path, fmt::format("data '{}' is listed twice", name));
      }
      if (prior != seen.end()) {
        reader.fail(path, fmt::format("data '{}' is also in {}; an operation that reads and "
                                      "writes it lists it once, in read_writes",
                                      name, prior->second));
      }
      seen.emplace_back(name, key);
      if (declared && std::find(declared->begin(), declared->end(), name) == declared->end()) {
        reader.fail(
            path, fmt::format("unknown data '{}' (declared in /data: {})", name, join(*declared)));
      }
      if (std::find(mentioned.begin(), mentioned.end(), name) == mentioned.end()) {
        mentioned.push_back(name);
      }
    }
  }
}

}  // namespace

void check_component_names(const JsonReader& reader, const std::vector<ComponentSpec>& components) {
  for (std::size_t i = 0; i < components.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (components[j].name == components[i].name) {
        reader.fail(child_path(child_path("/components", i), "name"),
                    fmt::format("duplicate component name '{}' (also /components/{})",
                                components[i].name, j));
      }
    }
  }
}

void check_data_names(const JsonReader& reader, const std::vector<std::string>& data) {
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (std::find(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(i), data[i]) !=
        data.begin() + static_cast<std::ptrdiff_t>(i)) {
      reader.fail(child_path("/data", i), fmt::format("duplicate data name '{}'", data[i]));
    }
  }
}

void resolve_operations(const JsonReader& reader, const std::vector<RawOperation>& raw,
                        const std::optional<std::vector<std::string>>& declared_data,
                        Workload& out) {
  NameTable table;
  std::vector<OperationSpec> expanded;
  const std::vector<std::size_t> origin = expand(reader, raw, table, expanded);
  std::vector<std::vector<std::string>> after(raw.size());
  std::vector<std::string> mentioned;
  for (std::size_t r = 0; r < raw.size(); ++r) {
    after[r] = resolve_after(reader, raw[r], table, expanded);
    check_accesses(reader, raw[r], declared_data, mentioned);
  }
  for (std::size_t i = 0; i < expanded.size(); ++i) expanded[i].after = after[origin[i]];
  out.operations = std::move(expanded);
  out.data = declared_data ? *declared_data : std::move(mentioned);
}

}  // namespace neat::detail
