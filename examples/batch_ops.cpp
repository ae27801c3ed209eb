// Batch operations: split a batch into micro-batches on the scheduler, pad pieces to preferred
// sizes, split again when memory runs short, and skip items already computed.
#include <chrono>
#include <cstdio>
#include <vector>

#include "neat/batch/batch_ops.hpp"
#include "neat/batch/batch_ops_cache.hpp"
#include "neat/batch/batch_ops_retry.hpp"
#include "neat/batch/tensor.hpp"
#include "neat/resources/memory_budget.hpp"

namespace {

// A stand-in model: one output row per input row, each row's values doubled.
neat::Tensor<float> model(const neat::Tensor<float>& x) {
  neat::Tensor<float> y = x;
  for (float& v : y.data()) v *= 2.0F;
  return y;
}

}  // namespace

int main() {
  neat::ParallelExecutor executor;
  // A sampler that reports no other memory use, so the run is the same on every machine.
  neat::MemoryBudgetManager memory({.total_bytes = 64 << 20,
                                    .sampler = [] { return neat::MemorySample{}; },
                                    .sample_interval = std::chrono::milliseconds(0)});
  memory.register_component({.name = "encoder", .memory_budget_bytes = 1 << 20});
  neat::ExecutionScheduler scheduler(executor, {.memory = &memory});

  neat::Tensor<float> inputs({100, 4});  // 100 rows of 4 features
  for (std::size_t i = 0; i < inputs.data().size(); ++i) {
    inputs.data()[i] = static_cast<float>(i);
  }

  // 1. Pieces of 32 rows as operations of the encoder; the last piece (4 rows) is padded to 8.
  const neat::Tensor<float> split = neat::split_run(
      scheduler, inputs, model,
      {.micro_batch = 32, .priority = neat::ExecutionPriority::high, .component = "encoder",
       .memory_bytes_per_item = 16 << 10, .buckets = {8, 16, 32}, .name = "encode"});

  // 2. Only 20 rows' worth of memory: the batch runs as 100 -> 50 -> 25 -> pieces of 13.
  const auto [retried, report] = neat::run_with_memory_retry(
      scheduler, inputs, model,
      {.memory = &memory, .component = "encoder", .memory_bytes_per_item = 50 << 10});

  // 3. Rows seen before come from the cache: the second run computes nothing.
  neat::BatchResultCache<neat::Tensor<float>> cache(1000);
  const neat::Tensor<float> first = neat::cached_run(cache, inputs, model);
  const neat::Tensor<float> again = neat::cached_run(cache, inputs, model);

  const neat::Tensor<float> expected = model(inputs);
  const bool ok = split == expected && retried == expected && first == expected &&
                  again == expected && report.splits == 3 && cache.stats().hits == 100;
  std::printf("split_run: %zu rows; memory retry: %zu splits, %zu pieces; cache: %llu hits\n",
              split.rows(), report.splits, report.pieces,
              static_cast<unsigned long long>(cache.stats().hits));
  return ok ? 0 : 1;
}
