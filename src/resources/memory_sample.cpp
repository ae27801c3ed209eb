#include "neat/resources/memory_sample.hpp"

#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "system_files.hpp"

namespace neat {

std::uint64_t MemorySample::headroom_bytes() const noexcept {
  std::uint64_t headroom = available_bytes;
  if (cgroup_limit_bytes) {
    const std::uint64_t used = cgroup_current_bytes.value_or(process_rss_bytes);
    const std::uint64_t left = *cgroup_limit_bytes > used ? *cgroup_limit_bytes - used : 0;
    headroom = std::min(headroom, left);
  }
  return headroom;
}

std::optional<std::uint64_t> parse_cgroup_bytes(const std::string& text) {
  std::istringstream in(text);
  std::string word;
  if (!(in >> word) || word == "max") return std::nullopt;
  if (!std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  try {
    return std::stoull(word);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<std::uint64_t> parse_statm_resident_bytes(const std::string& statm,
                                                        std::uint64_t page_size) {
  std::istringstream in(statm);
  std::uint64_t size_pages = 0;
  std::uint64_t resident_pages = 0;
  if (!(in >> size_pages >> resident_pages)) return std::nullopt;
  return resident_pages * page_size;
}

namespace {

// cgroup v1: memory.limit_in_bytes (a huge number when unlimited) and memory.usage_in_bytes.
void read_cgroup_v1(const std::string& dir, MemorySample& sample) {
  constexpr std::uint64_t k_unlimited = std::uint64_t{1} << 62;
  if (const auto text = detail::read_text_file(dir + "/memory.usage_in_bytes")) {
    sample.cgroup_current_bytes = parse_cgroup_bytes(*text);
  }
  if (const auto text = detail::read_text_file(dir + "/memory.limit_in_bytes")) {
    const auto limit = parse_cgroup_bytes(*text);
    if (limit && *limit < k_unlimited) sample.cgroup_limit_bytes = limit;
  }
  if (sample.cgroup_current_bytes || sample.cgroup_limit_bytes) sample.cgroup_dir = dir;
}

}  // namespace

MemorySample read_memory_sample() {
  MemorySample sample;
  if (const auto meminfo = detail::read_text_file("/proc/meminfo")) {
    sample.total_bytes = detail::parse_kib_field(*meminfo, "MemTotal").value_or(0);
    sample.available_bytes = detail::parse_kib_field(*meminfo, "MemAvailable")
                                 .value_or(detail::parse_kib_field(*meminfo, "MemFree").value_or(0));
  }
  if (const auto statm = detail::read_text_file("/proc/self/statm")) {
    const long page = ::sysconf(_SC_PAGESIZE);
    sample.process_rss_bytes =
        parse_statm_resident_bytes(*statm, page > 0 ? static_cast<std::uint64_t>(page) : 4096)
            .value_or(0);
  }
  bool innermost = true;
  for (const std::string& dir : detail::own_cgroup_dirs()) {
    if (innermost) {
      if (const auto text = detail::read_text_file(dir + "/memory.current")) {
        sample.cgroup_current_bytes = parse_cgroup_bytes(*text);
        if (sample.cgroup_current_bytes) sample.cgroup_dir = dir;
      }
      innermost = false;
    }
    if (const auto text = detail::read_text_file(dir + "/memory.max")) {
      const auto limit = parse_cgroup_bytes(*text);
      if (limit && (!sample.cgroup_limit_bytes || *limit < *sample.cgroup_limit_bytes)) {
        sample.cgroup_limit_bytes = limit;
        if (sample.cgroup_dir.empty()) sample.cgroup_dir = dir;
      }
    }
  }
  if (!sample.cgroup_dir.empty()) return sample;
  if (const auto dir = detail::own_cgroup_v1_dir("memory")) read_cgroup_v1(*dir, sample);
  return sample;
}

}  // namespace neat
