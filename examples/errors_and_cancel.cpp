// What a caller sees when operations fail or a run is cancelled: the first failure rethrown
// with the operation's name, dependents cancelled with the reason, and the list of what never
// ran.
#include <neat/neat.hpp>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>

int main() {
  neat::ParallelExecutor executor(neat::ExecutorOptions{.workers = 2});

  neat::OperationDependencyGraph graph;
  auto encode = graph.add({.name = "encode", .component = "blt_encoder"},
                          [] { throw std::runtime_error("malformed byte stream"); });
  auto recall = graph.add({.name = "recall", .component = "titans_memory"}, [] {});
  auto adapt = graph.add({.name = "adapt", .component = "transformer2"}, [] {});
  auto tokens = graph.add({.name = "tokenize", .component = "mvot_tokenizer"}, [] {});
  encode.precede(recall);
  recall.precede(adapt);

  neat::RunHandle run = executor.run(graph);
  try {
    run.wait();
  } catch (const neat::OperationFailed& e) {
    std::printf("wait() threw: %s\n", e.what());
  }
  for (const neat::NotRunOperation& op : run.not_run()) {
    std::printf("  %-8s %-9s %s\n", op.name.c_str(), std::string(neat::to_string(op.status)).c_str(),
                op.reason.c_str());
  }
  const bool tokenize_done = run.status(tokens.id()) == neat::OpStatus::completed;
  std::printf("independent 'tokenize' %s\n", tokenize_done ? "completed" : "did not complete");

  // Cancellation: the running operation sees stop_requested(); the rest never start.
  neat::OperationDependencyGraph slow;
  auto poll = slow.add({.name = "poll"}, [](neat::OpContext& ctx) {
    while (!ctx.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  poll.precede(slow.add({.name = "after_poll"}, [] {}));
  neat::RunHandle cancelled = executor.run(slow);
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  cancelled.cancel();
  cancelled.wait();  // cancellation is an outcome, not an exception
  std::printf("after cancel: %zu operation(s) never ran: %s\n", cancelled.not_run().size(),
              cancelled.not_run().at(0).reason.c_str());
  return tokenize_done && run.failure_count() == 1 ? 0 : 1;
}
