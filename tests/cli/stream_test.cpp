// `neatsched run` with request streams (examples/request_stream.json): the text and JSON
// reports, --no-batching, the batches in the trace, and the options it refuses.
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "cli_test_support.hpp"

namespace neat::cli_test {
namespace {

using nlohmann::json;

const std::string k_file = example("request_stream.json");

json run_json(const std::string& extra = "") {
  const Result r = neatsched("run " + k_file + " -w 2 --json " + extra);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out);
}

std::uint64_t fired_total(const json& stream) {
  std::uint64_t total = 0;
  for (const auto& [reason, count] : stream["fired"].items()) total += count.get<std::uint64_t>();
  return total;
}

TEST(CliStreams, TextReportHasARowPerStream) {
  const Result r = neatsched("run " + k_file + " -w 2");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(r.out.starts_with("workload request_stream (" + k_file +
                                "): 1 operations, 0 pipelines, 2 request streams; scheduler on 2 "
                                "workers (operation 'scan' has checkpoints)\n"))
      << r.out;
  for (const char* part : {"request stream  component  priority  arrivals", "requests/s", "p99 ms",
                           "\nchat            assistant  high      poisson 2000/s       200",
                           "\nembed           embedder   low       4 clients            120",
                           "  chat: batches fired full ", "  embed: batches fired full ",
                           "component memory held at most", "makespan "}) {
    EXPECT_TRUE(contains(r.out, part)) << part << " in\n" << r.out;
  }
}

TEST(CliStreams, JsonReportOfTheExample) {
  const json j = run_json();
  EXPECT_EQ(j["workload"]["request_streams"], 2);
  EXPECT_EQ(j["batching"], true);
  const json& streams = j["report"]["request_streams"];
  ASSERT_EQ(streams.size(), 2u);
  const json& chat = streams[0];
  EXPECT_EQ(chat["name"], "chat");
  EXPECT_EQ(chat["component"], "assistant");
  EXPECT_EQ(chat["priority"], "high");
  EXPECT_EQ(chat["arrival"], "poisson");
  EXPECT_EQ(chat["rate_per_s"], 2000.0);
  EXPECT_TRUE(chat["clients"].is_null());
  EXPECT_EQ(chat["failed"], 0);
  EXPECT_EQ(
      chat["completed"].get<int>() + chat["timed_out"].get<int>() + chat["refused"].get<int>(),
      200);
  // 2000 requests/s of 1.55 ms each would need 3.1 workers one at a time: they must batch.
  EXPECT_GT(chat["mean_batch_size"].get<double>(), 1.0);
  EXPECT_LE(chat["max_batch_size"].get<int>(), 16);
  EXPECT_EQ(fired_total(chat), chat["batches"].get<std::uint64_t>());
  EXPECT_GT(chat["requests_per_second"].get<double>(), 0.0);
  const json& latency = chat["latency_us"];
  EXPECT_LE(latency["p50"].get<double>(), latency["p95"].get<double>());
  EXPECT_LE(latency["p95"].get<double>(), latency["p99"].get<double>());
  EXPECT_LE(latency["p99"].get<double>(), latency["max"].get<double>());
  const json& embed = streams[1];
  EXPECT_EQ(embed["arrival"], "closed");
  EXPECT_EQ(embed["clients"], 4);
  EXPECT_TRUE(embed["rate_per_s"].is_null());
  EXPECT_EQ(embed["completed"], 120);
  EXPECT_LE(embed["max_batch_size"].get<int>(), 4);  // four clients
  EXPECT_GE(embed["memory_peak_bytes"].get<std::uint64_t>(), 8u << 20);
  EXPECT_LE(embed["memory_peak_bytes"].get<std::uint64_t>(), 64u << 20);
  EXPECT_GE(embed["started_us"].get<double>(), 5000.0);  // arrive_ms 5
}

TEST(CliStreams, NoBatchingRunsEveryRequestAlone) {
  const json j = run_json("--no-batching");
  EXPECT_EQ(j["batching"], false);
  for (const json& stream : j["report"]["request_streams"]) {
    EXPECT_EQ(stream["batching"], false);
    EXPECT_EQ(stream["max_batch_size"], 1) << stream["name"];
    EXPECT_EQ(stream["batches"].get<int>(), stream["requests"].get<int>() -
                                                stream["timed_out"].get<int>() -
                                                stream["refused"].get<int>())
        << stream["name"];
  }
  const Result text = neatsched("run " + k_file + " -w 2 --no-batching");
  EXPECT_TRUE(contains(text.out, "2 request streams (no batching); scheduler on 2")) << text.out;
}

// Each batch is an operation "<stream>#<k> (<n> requests)" in the trace, at its priority.
TEST(CliStreams, TheTraceShowsEachBatchWithItsSize) {
  const auto path = scratch("trace.json");
  const json j = run_json("--trace '" + path.string() + "'");
  const json trace = json::parse(read_text(path));
  const std::regex batch(R"((chat|embed)#\d+ \((\d+) requests?\))");
  std::map<std::string, int> batches;
  std::map<std::string, int> requests;
  for (const json& e : trace["traceEvents"]) {
    std::smatch m;
    const std::string name = e.value("name", "");
    if (e["ph"] != "X" || !std::regex_match(name, m, batch)) continue;
    ++batches[m[1].str()];
    requests[m[1].str()] += std::stoi(m[2].str());
    if (m[1].str() == "chat") {
      EXPECT_EQ(e["args"]["priority"], "high") << e;
    }
  }
  const json& streams = j["report"]["request_streams"];
  EXPECT_EQ(batches["chat"], streams[0]["batches"].get<int>());
  EXPECT_EQ(batches["embed"], streams[1]["batches"].get<int>());
  EXPECT_EQ(requests["embed"], 120);
  std::filesystem::remove(path);
}

TEST(CliStreams, NoBatchingNeedsRequestStreams) {
  const Result r = neatsched("run " + example("chain.json") + " --no-batching");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "neatsched: " + example("chain.json") +
                       " has no request streams; --no-batching applies to them only\n");
  const Result graph_only = neatsched("run " + k_file + " --sequential");
  EXPECT_EQ(graph_only.exit_code, 2);
  EXPECT_EQ(graph_only.err, "neatsched: " + k_file +
                                " needs a scheduler run (operation 'scan' has checkpoints); "
                                "--sequential applies to graph runs only\n");
}

TEST(CliStreams, AFileOfOnlyStreamsRunsAndItsGraphSaysWhereTheyRun) {
  const std::filesystem::path file = scratch("streams_only.json");
  std::ofstream(file) << R"({"name": "only_streams", "components": [{"name": "a"}],
    "request_streams": [{"name": "chat", "component": "a", "requests": 20, "rate_per_s": 4000,
                         "kernel": {"type": "spin", "call_us": 100, "item_us": 10}}]})";
  const Result run = neatsched("run " + file.string() + " -w 2 --json");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const json j = json::parse(run.out);
  EXPECT_EQ(j["why"], "it has request streams ('chat')");
  EXPECT_EQ(j["workload"]["operations"], 0);
  EXPECT_EQ(j["report"]["request_streams"][0]["completed"], 20);
  const Result graph = neatsched("graph " + file.string());
  EXPECT_EQ(graph.exit_code, 0) << graph.err;
  EXPECT_TRUE(contains(graph.out, "no graph operations: its 0 pipeline(s) and 1 request "
                                  "stream(s) run in `neatsched run`"))
      << graph.out;
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace neat::cli_test
