// A stable description of the machine, used as the key of saved performance profiles: a
// profile measured on one machine says little about another. It joins the CPU model name
// (/proc/cpuinfo), the CPUs this process may use (read_cpu_budget().usable: the executor sizes
// its pool from it, so a profile taken with 16 workers does not describe a 2-CPU container) and
// the total memory rounded to GiB (/proc/meminfo). The later HardwareDetector builds on it.
//
// Thread-safety: free functions without shared state; safe from any thread. They read /proc
// files (a few microseconds), never block otherwise, and never throw for missing files.
//
// Usage:
//   const neat::HardwareFingerprint hw = neat::read_hardware_fingerprint();
//   std::string key = hw.text();   // "cpu=Intel(R) Xeon(R) Processor;cpus=2;mem_gib=24"
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace neat {

struct HardwareFingerprint {
  std::string cpu_model;         // whitespace collapsed; "unknown" when /proc/cpuinfo says none
  std::size_t logical_cpus = 1;  // read_cpu_budget().usable
  std::uint64_t memory_gib = 0;  // MemTotal rounded to the nearest GiB; 0 when unknown

  /// "cpu=<model>;cpus=<n>;mem_gib=<g>": equal machines give equal text, call after call.
  [[nodiscard]] std::string text() const;
  friend bool operator==(const HardwareFingerprint&, const HardwareFingerprint&) = default;
};

/// Read the fingerprint of this machine and process.
[[nodiscard]] HardwareFingerprint read_hardware_fingerprint();

/// The CPU model from the text of /proc/cpuinfo: the first "model name" line (x86), else
/// "cpu model", "Hardware" or "Processor" (ARM and others); whitespace collapsed. "unknown"
/// when none is present or the value is empty.
[[nodiscard]] std::string parse_cpu_model(const std::string& cpuinfo);

/// MemTotal in bytes from the text of /proc/meminfo ("MemTotal:  24684084 kB"), or nullopt.
[[nodiscard]] std::optional<std::uint64_t> parse_mem_total_bytes(const std::string& meminfo);

/// Bytes rounded to the nearest GiB (24684084 KiB -> 24).
[[nodiscard]] std::uint64_t round_to_gib(std::uint64_t bytes) noexcept;

}  // namespace neat
