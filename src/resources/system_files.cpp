#include "system_files.hpp"

#include <fstream>
#include <sstream>

namespace neat::detail {

std::optional<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> own_cgroup_dirs() {
  std::string cgroup = "/";
  if (const auto text = read_text_file("/proc/self/cgroup")) {
    std::istringstream lines(*text);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("0::", 0) == 0) cgroup = line.substr(3);
    }
  }
  std::vector<std::string> dirs;
  for (std::string dir = "/sys/fs/cgroup" + (cgroup == "/" ? std::string() : cgroup);;) {
    dirs.push_back(dir);
    const auto slash = dir.rfind('/');
    if (dir == "/sys/fs/cgroup" || slash == std::string::npos) break;
    dir.erase(slash);
  }
  return dirs;
}

std::optional<std::string> own_cgroup_v1_dir(const std::string& controller) {
  const auto text = read_text_file("/proc/self/cgroup");
  if (!text) return std::nullopt;
  std::istringstream lines(*text);
  const std::string tag = ":" + controller + ":";
  for (std::string line; std::getline(lines, line);) {
    const auto at = line.find(tag);
    if (at == std::string::npos) continue;
    const std::string path = line.substr(at + tag.size());
    return "/sys/fs/cgroup/" + controller + (path == "/" ? std::string() : path);
  }
  return std::nullopt;
}

std::optional<std::uint64_t> parse_kib_field(const std::string& text, const std::string& key) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(key + ":", 0) != 0) continue;
    std::istringstream fields(line.substr(key.size() + 1));
    std::uint64_t kib = 0;
    if (fields >> kib) return kib * 1024;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace neat::detail
