#include "neat/resources/hardware_fingerprint.hpp"

#include <fmt/format.h>

#include <array>
#include <fstream>
#include <sstream>
#include <string_view>

#include "neat/resources/cpu_budget.hpp"

namespace neat {
namespace {

std::string read_text(const char* path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// "  a \t b  " -> "a b".
std::string collapse_whitespace(std::string_view value) {
  std::string out;
  std::istringstream words{std::string(value)};
  for (std::string word; words >> word;) {
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

// The value of the first "key : value" line whose key is `key`, whitespace collapsed.
std::optional<std::string> find_field(const std::string& text, std::string_view key) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    if (collapse_whitespace(std::string_view(line).substr(0, colon)) != key) continue;
    std::string value = collapse_whitespace(std::string_view(line).substr(colon + 1));
    if (!value.empty()) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string HardwareFingerprint::text() const {
  return fmt::format("cpu={};cpus={};mem_gib={}", cpu_model, logical_cpus, memory_gib);
}

std::string parse_cpu_model(const std::string& cpuinfo) {
  constexpr std::array<std::string_view, 4> keys = {"model name", "cpu model", "Hardware",
                                                    "Processor"};
  for (const std::string_view key : keys) {
    if (auto value = find_field(cpuinfo, key)) return *value;
  }
  return "unknown";
}

std::optional<std::uint64_t> parse_mem_total_bytes(const std::string& meminfo) {
  const auto value = find_field(meminfo, "MemTotal");
  if (!value) return std::nullopt;
  std::istringstream in(*value);
  std::uint64_t amount = 0;
  std::string unit;
  if (!(in >> amount)) return std::nullopt;
  in >> unit;
  if (unit == "kB" || unit == "KiB") return amount * 1024;
  if (unit.empty() || unit == "B") return amount;
  return std::nullopt;
}

std::uint64_t round_to_gib(std::uint64_t bytes) noexcept {
  constexpr std::uint64_t gib = std::uint64_t{1} << 30;
  return (bytes + gib / 2) / gib;
}

HardwareFingerprint read_hardware_fingerprint() {
  HardwareFingerprint hw;
  hw.cpu_model = parse_cpu_model(read_text("/proc/cpuinfo"));
  hw.logical_cpus = read_cpu_budget().usable;
  hw.memory_gib = round_to_gib(parse_mem_total_bytes(read_text("/proc/meminfo")).value_or(0));
  return hw;
}

}  // namespace neat
