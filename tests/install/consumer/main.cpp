// Built against the installed package: runs a two-operation graph and checks the order.
#include <neat/neat.hpp>

#include <atomic>
#include <cstdio>

int main() {
  neat::ParallelExecutor executor(neat::ExecutorOptions{.workers = 2});
  neat::OperationDependencyGraph graph;
  std::atomic<int> step{0};
  int seen_by_second = -1;
  auto first = graph.add({.name = "first"}, [&] { step.store(1); });
  auto second = graph.add({.name = "second"}, [&] { seen_by_second = step.load(); });
  first.precede(second);
  executor.run(graph).wait();
  if (seen_by_second != 1) {
    std::fprintf(stderr, "consumer: order violated (%d)\n", seen_by_second);
    return 1;
  }
  std::puts("consumer: ok");
  return 0;
}
