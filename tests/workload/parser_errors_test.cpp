// parse_workload() and load_workload() refuse every malformed file with a WorkloadError that
// names the file, the JSON path and the problem.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "neat/workload/workload.hpp"
#include "workload/json_reader.hpp"

namespace neat {
namespace {

// The error parse_workload(text) throws; fails the test when it throws none.
WorkloadError error_of(std::string_view text) {
  try {
    (void)parse_workload(text, "bad.json");
  } catch (const WorkloadError& e) {
    return e;
  }
  ADD_FAILURE() << "no WorkloadError for: " << text;
  return WorkloadError("", "", "");
}

// A document whose operations are `ops` and whose components are one "c" (priority high).
std::string doc(const std::string& ops, const std::string& extra = "") {
  return R"({"name": "t", "components": [{"name": "c", "priority": "high"}])" + extra +
         R"(, "operations": [)" + ops + "]}";
}

std::string op_with_kernel(const std::string& kernel) {
  return R"({"name": "a", "kernel": )" + kernel + "}";
}

void check_error(std::string_view text, const std::string& path, const std::string& problem) {
  const WorkloadError e = error_of(text);
  EXPECT_EQ(e.source(), "bad.json");
  EXPECT_EQ(e.json_path(), path);
  EXPECT_EQ(e.problem(), problem);
  EXPECT_EQ(std::string(e.what()), "bad.json: " + path + ": " + problem);
}

// SCOPED_TRACE names the line of the failing expectation.
#define EXPECT_WORKLOAD_ERROR(text, path, problem) \
  do {                                             \
    SCOPED_TRACE(text);                            \
    check_error(text, path, problem);              \
  } while (false)

TEST(WorkloadErrors, SyntaxErrorNamesLineAndColumn) {
  const WorkloadError e = error_of("{\"name\": \"t\",\n  \"operations\": [}\n");
  EXPECT_EQ(e.json_path(), "");
  EXPECT_TRUE(e.problem().starts_with("invalid JSON: parse error at line 2, column 18:"))
      << e.problem();
  EXPECT_TRUE(std::string(e.what()).starts_with("bad.json: invalid JSON: parse error at line 2"))
      << e.what();
}

TEST(WorkloadErrors, EmptyTextIsASyntaxError) {
  EXPECT_TRUE(error_of("").problem().starts_with("invalid JSON: parse error at line 1, column 1"));
}

TEST(WorkloadErrors, DuplicateKeysAreRefused) {
  EXPECT_WORKLOAD_ERROR(R"({"name": "a", "name": "b", "operations": []})", "/name",
                        "duplicate key 'name'");
  EXPECT_WORKLOAD_ERROR(doc(R"({"name": "a", "kernel": {"type": "spin", "us": 1}},
                               {"name": "b", "kernel": {"type": "spin", "us": 1, "us": 2}})"),
                        "/operations/1/kernel/us", "duplicate key 'us'");
  EXPECT_WORKLOAD_ERROR(R"({"x": [[1, {"k": 1, "k": 2}]]})", "/x/0/1/k", "duplicate key 'k'");
}

TEST(WorkloadErrors, TopLevel) {
  EXPECT_WORKLOAD_ERROR("[1, 2]", "(root)", "expected an object, got an array");
  EXPECT_WORKLOAD_ERROR(R"({"operations": []})", "(root)", "missing required field 'name'");
  EXPECT_WORKLOAD_ERROR(R"({"name": "t"})", "(root)", "missing required field 'operations'");
  EXPECT_WORKLOAD_ERROR(R"({"name": ""})", "/name", "must not be empty");
  EXPECT_WORKLOAD_ERROR(R"({"name": 3})", "/name", "expected a string, got a number");
  EXPECT_WORKLOAD_ERROR(R"({"name": "t", "description": 1.5})", "/description",
                        "expected a string, got a number with a fraction");
  EXPECT_WORKLOAD_ERROR(R"({"$schema": true})", "/$schema", "expected a string, got a boolean");
  EXPECT_WORKLOAD_ERROR(R"({"name": "t", "operations": []})", "/operations",
                        "must list at least one operation");
  EXPECT_WORKLOAD_ERROR(R"({"name": "t", "operations": {}})", "/operations",
                        "expected an array, got an object");
  EXPECT_WORKLOAD_ERROR(R"({"name": "t", "operations": [null]})", "/operations/0",
                        "expected an object, got null");
}

TEST(WorkloadErrors, UnknownKeysAreRefusedWithAHint) {
  EXPECT_WORKLOAD_ERROR(R"({"name": "t", "operatons": []})", "/operatons",
                        "unknown key 'operatons' (did you mean 'operations'?)");
  EXPECT_WORKLOAD_ERROR(R"({"name": "t", "flavour": 1})", "/flavour",
                        "unknown key 'flavour' (allowed: $schema, name, description, "
                        "components, data, operations, pipelines, request_streams)");
  EXPECT_WORKLOAD_ERROR(doc(R"({"name": "a", "prioirty": "high"})"), "/operations/0/prioirty",
                        "unknown key 'prioirty' (did you mean 'priority'?)");
  EXPECT_WORKLOAD_ERROR(doc(R"({"name": "a", "reeds": ["x"]})"), "/operations/0/reeds",
                        "unknown key 'reeds' (did you mean 'reads'?)");
  // JSON-pointer escaping of '/' and '~' in the key.
  EXPECT_WORKLOAD_ERROR(R"({"a/b~c": 1})", "/a~1b~0c",
                        "unknown key 'a/b~c' (allowed: $schema, name, description, components, "
                        "data, operations, pipelines, request_streams)");
}

TEST(WorkloadErrors, Components) {
  EXPECT_WORKLOAD_ERROR(R"({"name": "t", "components": {}})", "/components",
                        "expected an array, got an object");
  EXPECT_WORKLOAD_ERROR(R"({"name": "t", "components": [{"priority": "high"}]})", "/components/0",
                        "missing required field 'name'");
  EXPECT_WORKLOAD_ERROR(R"({"name": "t", "components": [{"name": "c", "priorty": "low"}]})",
                        "/components/0/priorty",
                        "unknown key 'priorty' (did you mean 'priority'?)");
  EXPECT_WORKLOAD_ERROR(R"({"name": "t", "components": [{"name": "c", "priority": "urgent"}]})",
                        "/components/0/priority",
                        "unknown priority 'urgent' (allowed: critical, high, medium, low)");
  EXPECT_WORKLOAD_ERROR(R"({"name": "t", "components": [{"name": "c", "importance": -1}]})",
                        "/components/0/importance", "must be non-negative, got -1");
  EXPECT_WORKLOAD_ERROR(R"({"name": "t", "components": [{"name": "c", "importance": "hi"}]})",
                        "/components/0/importance", "expected a number, got a string");
  EXPECT_WORKLOAD_ERROR(
      R"({"name": "t", "components": [{"name": "c"}, {"name": "d"}, {"name": "c"}]})",
      "/components/2/name", "duplicate component name 'c' (also /components/0)");
}

TEST(WorkloadErrors, OperationFields) {
  EXPECT_WORKLOAD_ERROR(doc(R"({"kernel": {"type": "spin", "us": 1}})"), "/operations/0",
                        "missing required field 'name'");
  EXPECT_WORKLOAD_ERROR(doc(R"({"name": "a"})"), "/operations/0",
                        "missing required field 'kernel'");
  EXPECT_WORKLOAD_ERROR(doc(R"({"name": ""})"), "/operations/0/name", "must not be empty");
  EXPECT_WORKLOAD_ERROR(doc(R"({"name": "a", "priority": 1})"), "/operations/0/priority",
                        "expected a string, got a number");
  EXPECT_WORKLOAD_ERROR(doc(R"({"name": "a", "priority": "urgent"})"), "/operations/0/priority",
                        "unknown priority 'urgent' (allowed: critical, high, medium, low)");
  const std::string spin = R"("kernel": {"type": "spin", "us": 1})";
  EXPECT_WORKLOAD_ERROR(doc(R"({"name": "a", "cost_hint_us": -5, )" + spin + "}"),
                        "/operations/0/cost_hint_us", "must be non-negative, got -5");
  EXPECT_WORKLOAD_ERROR(doc(R"({"name": "a", "memory_bytes": 1.5, )" + spin + "}"),
                        "/operations/0/memory_bytes", "expected an integer, got 1.5");
  EXPECT_WORKLOAD_ERROR(doc(R"({"name": "a", "memory_bytes": -1, )" + spin + "}"),
                        "/operations/0/memory_bytes", "must be non-negative, got -1");
  EXPECT_WORKLOAD_ERROR(doc(R"({"name": "a", "device": "tpu", )" + spin + "}"),
                        "/operations/0/device", "unknown device 'tpu' (allowed: any, cpu, cuda)");
  EXPECT_WORKLOAD_ERROR(doc(R"({"name": "a", "repeat": 0, )" + spin + "}"), "/operations/0/repeat",
                        "must be positive, got 0");
  EXPECT_WORKLOAD_ERROR(doc(R"({"name": "a", "repeat": 100001, )" + spin + "}"),
                        "/operations/0/repeat", "must be at most 100000, got 100001");
}

TEST(WorkloadErrors, UnknownComponent) {
  EXPECT_WORKLOAD_ERROR(doc(R"({"name": "a", "component": "gpu"})"), "/operations/0/component",
                        "unknown component 'gpu' (declared: c)");
  EXPECT_WORKLOAD_ERROR(R"({"name": "t", "operations": [{"name": "a", "component": "gpu"}]})",
                        "/operations/0/component",
                        "unknown component 'gpu' (the file declares no components)");
}

TEST(WorkloadErrors, Kernels) {
  EXPECT_WORKLOAD_ERROR(doc(op_with_kernel(R"("spin")")), "/operations/0/kernel",
                        "expected an object, got a string");
  EXPECT_WORKLOAD_ERROR(doc(op_with_kernel(R"({"us": 5})")), "/operations/0/kernel",
                        "missing required field 'type'");
  EXPECT_WORKLOAD_ERROR(doc(op_with_kernel(R"({"type": "conv2d"})")), "/operations/0/kernel/type",
                        "unknown kernel type 'conv2d' (allowed: spin, gemm, sleep, fail)");
  EXPECT_WORKLOAD_ERROR(doc(op_with_kernel(R"({"type": "spin"})")), "/operations/0/kernel",
                        "missing required field 'us'");
  EXPECT_WORKLOAD_ERROR(doc(op_with_kernel(R"({"type": "spin", "us": 0})")),
                        "/operations/0/kernel/us", "must be positive, got 0");
  EXPECT_WORKLOAD_ERROR(doc(op_with_kernel(R"({"type": "sleep", "us": -1.5})")),
                        "/operations/0/kernel/us", "must be positive, got -1.5");
  EXPECT_WORKLOAD_ERROR(doc(op_with_kernel(R"({"type": "sleep", "us": "5"})")),
                        "/operations/0/kernel/us", "expected a number, got a string");
  EXPECT_WORKLOAD_ERROR(doc(op_with_kernel(R"({"type": "spin", "us": 1000000000})")),
                        "/operations/0/kernel/us", "must be at most 60000000, got 1000000000");
  EXPECT_WORKLOAD_ERROR(doc(op_with_kernel(R"({"type": "spin", "us": 5, "mode": "fast"})")),
                        "/operations/0/kernel/mode",
                        "unknown spin mode 'fast' (allowed: work, deadline)");
  EXPECT_WORKLOAD_ERROR(doc(op_with_kernel(R"({"type": "sleep", "us": 5, "mode": "work"})")),
                        "/operations/0/kernel/mode",
                        "unknown key 'mode' (allowed: type, us, checkpoint_us)");
  EXPECT_WORKLOAD_ERROR(doc(op_with_kernel(R"({"type": "fail", "us": 5})")),
                        "/operations/0/kernel/us", "unknown key 'us' (allowed: type, message)");
  EXPECT_WORKLOAD_ERROR(doc(op_with_kernel(R"({"type": "fail", "message": 5})")),
                        "/operations/0/kernel/message", "expected a string, got a number");
}

TEST(WorkloadErrors, GemmSizes) {
  EXPECT_WORKLOAD_ERROR(doc(op_with_kernel(R"({"type": "gemm", "m": -4, "n": 1, "k": 1})")),
                        "/operations/0/kernel/m", "must be positive, got -4");
  EXPECT_WORKLOAD_ERROR(doc(op_with_kernel(R"({"type": "gemm", "m": 1, "n": 0, "k": 1})")),
                        "/operations/0/kernel/n", "must be positive, got 0");
  EXPECT_WORKLOAD_ERROR(doc(op_with_kernel(R"({"type": "gemm", "m": 1, "n": 1, "k": 3.5})")),
                        "/operations/0/kernel/k", "expected an integer, got 3.5");
  EXPECT_WORKLOAD_ERROR(doc(op_with_kernel(R"({"type": "gemm", "m": "8", "n": 1, "k": 1})")),
                        "/operations/0/kernel/m", "expected an integer, got a string");
  EXPECT_WORKLOAD_ERROR(doc(op_with_kernel(R"({"type": "gemm", "m": 8, "n": 1})")),
                        "/operations/0/kernel", "missing required field 'k'");
  EXPECT_WORKLOAD_ERROR(doc(op_with_kernel(R"({"type": "gemm", "m": 2000000, "n": 1, "k": 1})")),
                        "/operations/0/kernel/m", "must be at most 1048576, got 2000000");
  EXPECT_WORKLOAD_ERROR(
      doc(op_with_kernel(R"({"type": "gemm", "m": 16384, "n": 16384, "k": 16384})")),
      "/operations/0/kernel", "gemm matrices need 3072 MiB, more than the 1024 MiB limit");
  EXPECT_WORKLOAD_ERROR(doc(op_with_kernel(R"({"type": "gemm", "m": 1, "n": 1, "k": 1, "us": 5})")),
                        "/operations/0/kernel/us", "unknown key 'us' (allowed: type, m, n, k)");
}

TEST(WorkloadErrors, OperationNames) {
  const std::string k = R"("kernel": {"type": "spin", "us": 1})";
  EXPECT_WORKLOAD_ERROR(doc(R"({"name": "a", )" + k + R"(}, {"name": "a", )" + k + "}"),
                        "/operations/1/name", "duplicate operation name 'a' (also /operations/0)");
  // A repeated operation's copies and its base name count as names too.
  EXPECT_WORKLOAD_ERROR(
      doc(R"({"name": "w#1", )" + k + R"(}, {"name": "w", "repeat": 2, )" + k + "}"),
      "/operations/1/name", "duplicate operation name 'w#1' (also /operations/0)");
  EXPECT_WORKLOAD_ERROR(
      doc(R"({"name": "w", "repeat": 2, )" + k + R"(}, {"name": "w", )" + k + "}"),
      "/operations/1/name", "duplicate operation name 'w' (also /operations/0)");
}

TEST(WorkloadErrors, After) {
  const std::string k = R"("kernel": {"type": "spin", "us": 1})";
  EXPECT_WORKLOAD_ERROR(
      doc(R"({"name": "a", )" + k + R"(}, {"name": "b", "after": ["a", "c"], )" + k + "}"),
      "/operations/1/after/1", "unknown operation 'c'");
  EXPECT_WORKLOAD_ERROR(doc(R"({"name": "a", "after": "b", )" + k + "}"), "/operations/0/after",
                        "expected an array, got a string");
  EXPECT_WORKLOAD_ERROR(doc(R"({"name": "a", "after": [""], )" + k + "}"), "/operations/0/after/0",
                        "must not be empty");
  EXPECT_WORKLOAD_ERROR(doc(R"({"name": "a", "after": [7], )" + k + "}"), "/operations/0/after/0",
                        "expected a string, got a number");
}

TEST(WorkloadErrors, Data) {
  const std::string k = R"("kernel": {"type": "spin", "us": 1})";
  EXPECT_WORKLOAD_ERROR(doc(R"({"name": "a", "reads": ["y"], )" + k + "}", R"(, "data": ["x"])"),
                        "/operations/0/reads/0", "unknown data 'y' (declared in /data: x)");
  EXPECT_WORKLOAD_ERROR(doc(R"({"name": "a", )" + k + "}", R"(, "data": ["x", "z", "x"])"),
                        "/data/2", "duplicate data name 'x'");
  EXPECT_WORKLOAD_ERROR(doc(R"({"name": "a", )" + k + "}", R"(, "data": "x")"), "/data",
                        "expected an array, got a string");
  EXPECT_WORKLOAD_ERROR(doc(R"({"name": "a", "reads": ["x", "x"], )" + k + "}"),
                        "/operations/0/reads/1", "data 'x' is listed twice");
  EXPECT_WORKLOAD_ERROR(
      doc(R"({"name": "a", "reads": ["x"], "writes": ["y", "x"], )" + k + "}"),
      "/operations/0/writes/1",
      "data 'x' is also in reads; an operation that reads and writes it lists it once, in "
      "read_writes");
  EXPECT_WORKLOAD_ERROR(
      doc(R"({"name": "a", "writes": ["x"], "read_writes": ["x"], )" + k + "}"),
      "/operations/0/read_writes/0",
      "data 'x' is also in writes; an operation that reads and writes it lists it once, in "
      "read_writes");
}

TEST(WorkloadErrors, WhatOmitsAnEmptyPath) {
  const WorkloadError e("f.json", "", "gone");
  EXPECT_STREQ(e.what(), "f.json: gone");
  const WorkloadError f("f.json", "/a", "bad");
  EXPECT_STREQ(f.what(), "f.json: /a: bad");
  const Error& base = f;  // a WorkloadError is a neat::Error
  EXPECT_STREQ(base.what(), "f.json: /a: bad");
}

TEST(WorkloadFiles, MissingFile) {
  const std::string path = "/nonexistent/dir/w.json";
  try {
    (void)load_workload(path);
    FAIL() << "no error";
  } catch (const WorkloadError& e) {
    EXPECT_EQ(e.source(), path);
    EXPECT_EQ(e.json_path(), "");
    EXPECT_EQ(e.problem(), "cannot open the file: No such file or directory");
  }
}

TEST(WorkloadFiles, DirectoryIsRefused) {
  try {
    (void)load_workload(NEAT_SOURCE_DIR "/examples");
    FAIL() << "no error";
  } catch (const WorkloadError& e) {
    EXPECT_EQ(e.problem(), "is a directory, not a workload file");
  }
}

TEST(WorkloadFiles, ErrorsInAFileNameTheFile) {
  const std::string path = NEAT_SOURCE_DIR "/examples/bad/negative_size.json";
  try {
    (void)load_workload(path);
    FAIL() << "no error";
  } catch (const WorkloadError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": /operations/1/kernel/m: must be positive, got -64");
  }
}

TEST(WorkloadFiles, EmptyFileIsASyntaxError) {
  const auto path = std::filesystem::temp_directory_path() / "neat_empty_workload.json";
  std::ofstream(path).close();
  try {
    (void)load_workload(path.string());
    FAIL() << "no error";
  } catch (const WorkloadError& e) {
    EXPECT_TRUE(e.problem().starts_with("invalid JSON")) << e.what();
  }
  std::filesystem::remove(path);
}

TEST(JsonReaderHelpers, EditDistanceAndJoin) {
  EXPECT_EQ(detail::edit_distance("", ""), 0u);
  EXPECT_EQ(detail::edit_distance("abc", ""), 3u);
  EXPECT_EQ(detail::edit_distance("prioirty", "priority"), 2u);
  EXPECT_EQ(detail::edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(detail::join({"a", "b"}), "a, b");
  EXPECT_EQ(detail::join({}), "");
}

}  // namespace
}  // namespace neat
