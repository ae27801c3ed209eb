// DynamicBatcherOptions::batch_name: each batch operation's name from its size, as the
// executor's observer (and so a trace) sees it; a batch_name that throws fails only its batch.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>

#include "batch/dynamic_batcher_test_support.hpp"
#include "neat/trace/observer.hpp"

namespace neat {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

// The names of the operations that started.
class StartedNames final : public Observer {
 public:
  void on_operation_start(const OperationEvent& e) override { names_.add(std::string(e.name)); }
  [[nodiscard]] std::vector<std::string> get() const { return names_.get(); }

 private:
  test::LockedList<std::string> names_;
};

TEST(DynamicBatcherNames, EachBatchIsNamedFromItsSize) {
  StartedNames names;
  test::BatchLog log;
  {
    ParallelExecutor executor({.workers = 2, .observer = &names});
    ExecutionScheduler scheduler(executor);
    DynamicBatcherOptions options = test::by_size_only(3);
    std::atomic<int> next{0};
    options.batch_name = [&next](std::size_t size) {
      return "b" + std::to_string(next.fetch_add(1)) + "x" + std::to_string(size);
    };
    DynamicBatcher<int, int> batcher(scheduler, options, test::times_ten(log));
    auto futures = test::submit_range(batcher, 0, 5);
    batcher.flush();
    for (auto& f : futures) ASSERT_TRUE(test::ready_within(f));
    batcher.wait_idle();
  }
  EXPECT_THAT(names.get(), UnorderedElementsAre("b0x3", "b1x2"));
}

TEST(DynamicBatcherNames, ANameThatThrowsFailsOnlyItsBatch) {
  test::BatchLog log;
  ParallelExecutor executor({.workers = 2});
  ExecutionScheduler scheduler(executor);
  DynamicBatcherOptions options = test::by_size_only(2);
  std::atomic<int> calls{0};
  options.batch_name = [&calls](std::size_t) -> std::string {
    if (calls.fetch_add(1) == 0) throw std::runtime_error("no name today");
    return "named";
  };
  DynamicBatcher<int, int> batcher(scheduler, options, test::times_ten(log));
  auto futures = test::submit_range(batcher, 0, 4);
  EXPECT_THAT(test::error_of(futures[0]), HasSubstr("no name today"));
  EXPECT_THAT(test::error_of(futures[1]), HasSubstr("no name today"));
  EXPECT_EQ(futures[2].get(), 20);
  EXPECT_EQ(futures[3].get(), 30);
  batcher.wait_idle();
  EXPECT_EQ(batcher.stats().failed_batches, 1u);
}

}  // namespace
}  // namespace neat
