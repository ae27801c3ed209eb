// Runs the real neatsched binary (NEAT_CLI_PATH) and captures its exit code, stdout and stderr.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace neat::cli_test {

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// A scratch path unique to this process and test.
inline std::filesystem::path scratch(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string test = info->name();  // parameterised names contain '/'
  for (char& c : test) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
  }
  return std::filesystem::temp_directory_path() /
         ("neatsched_cli_" + std::to_string(::getpid()) + "_" + test + "_" + name);
}

/// Run `neatsched <args>` (args are passed through the shell as written).
inline Result neatsched(const std::string& args) {
  const auto out = scratch("stdout");
  const auto err = scratch("stderr");
  const std::string command = std::string("'") + NEAT_CLI_PATH + "' " + args + " > '" +
                              out.string() + "' 2> '" + err.string() + "'";
  const int status = std::system(command.c_str());
  Result r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_text(out);
  r.err = read_text(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

/// Path of an example file.
inline std::string example(const std::string& name) {
  return std::string(NEAT_SOURCE_DIR) + "/examples/" + name;
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace neat::cli_test
