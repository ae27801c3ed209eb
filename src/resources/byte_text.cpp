#include "byte_text.hpp"

#include <fmt/format.h>

namespace neat::detail {

std::string bytes_text(std::uint64_t bytes) {
  constexpr std::uint64_t k_kib = 1024;
  if (bytes < k_kib) return fmt::format("{} bytes", bytes);
  const char* unit = "KiB";
  double scaled = static_cast<double>(bytes) / 1024.0;
  if (bytes >= (k_kib << 30)) {
    unit = "TiB";
    scaled /= 1024.0 * 1024.0 * 1024.0;
  } else if (bytes >= (k_kib << 20)) {
    unit = "GiB";
    scaled /= 1024.0 * 1024.0;
  } else if (bytes >= (k_kib << 10)) {
    unit = "MiB";
    scaled /= 1024.0;
  }
  return fmt::format("{:.1f} {} ({} bytes)", scaled, unit, bytes);
}

std::string percent_text(double fraction) {
  return fmt::format("{:.1f}%", fraction * 100.0);
}

}  // namespace neat::detail
