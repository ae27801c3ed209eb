// Reading the small text files of /proc and /sys that describe this process and machine.
// Internal to neat::sched. Never throws for missing or unreadable files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace neat::detail {

/// The whole text of a file, or nullopt when it cannot be opened.
[[nodiscard]] std::optional<std::string> read_text_file(const std::string& path);

/// The cgroup v2 directories of this process, innermost first, ending with /sys/fs/cgroup
/// (from "0::/path" in /proc/self/cgroup). Limits apply at every level, so callers take the
/// tightest.
[[nodiscard]] std::vector<std::string> own_cgroup_dirs();

/// The cgroup v1 directory of this process for `controller` ("memory" ->
/// /sys/fs/cgroup/memory/<path>), from the "N:memory:/path" line; nullopt on a pure v2 system.
[[nodiscard]] std::optional<std::string> own_cgroup_v1_dir(const std::string& controller);

/// The value of a "Key:   123 kB" line of /proc/meminfo-style text, in bytes, or nullopt.
[[nodiscard]] std::optional<std::uint64_t> parse_kib_field(const std::string& text,
                                                           const std::string& key);

}  // namespace neat::detail
