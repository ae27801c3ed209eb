// Shared by the scheduled-run tests: a workload from a list of operations, and one where a
// critical arrival raises the low operation it reads from (inheritance).
#pragma once

#include <string>

#include "neat/workload/workload.hpp"

namespace neat::test {

inline Workload parse_operations(const std::string& operations, const std::string& extra = "") {
  return parse_workload(R"({"name": "t", "operations": [)" + operations + "]" + extra + "}",
                        "t.json");
}

// One worker is busy for 30 ms; "prefetch" (low) writes x; "recall" (critical) arrives at 5 ms
// and reads x, so prefetch runs at critical.
inline const std::string k_inheritance_operations = R"(
    {"name": "busy", "kernel": {"type": "sleep", "us": 30000}},
    {"name": "prefetch", "priority": "low", "writes": ["x"], "kernel": {"type": "spin", "us": 10}},
    {"name": "recall", "priority": "critical", "arrive_ms": 5, "reads": ["x"],
     "kernel": {"type": "spin", "us": 10}})";

}  // namespace neat::test
