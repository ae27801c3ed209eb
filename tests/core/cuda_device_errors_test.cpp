// The CUDA device backend's failures (stand-in runtime): work that throws, each CUDA call that
// can fail (named with the device, stream and the runtime's text), failed edges, memory(),
// and destruction with work still on a GPU. Opening and misuse: cuda_device_open_test.cpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#if defined(NEAT_HAVE_CUDA_LOADER)

#include <stdexcept>
#include <string>
#include <thread>

#include "core/test_support.hpp"
#include "neat/common/error.hpp"
#include "core/cuda_device_support.hpp"

namespace neat {
namespace {

using namespace std::chrono_literals;
using test::error_of;
using test::eventually;
using ::testing::HasSubstr;

using CudaErrorsTest = test::CudaDeviceTest;

TEST_P(CudaErrorsTest, WorkThatThrowsFailsItsStreamUntilSynchronize) {
  Stream& s = gpu(0).stream(1);
  std::atomic<int> ran{0};
  s.submit([&ran] { ran.fetch_add(1); });
  s.submit([] { throw std::runtime_error("kernel arguments wrong"); });
  s.submit([&ran] { ran.fetch_add(100); });  // skipped
  Event after = record_on(s);
  ASSERT_EQ(after.wait_for(60s), WaitStatus::done);
  EXPECT_THAT(error_of([&] { after.wait(); }),
              HasSubstr("operation 'gpu0 stream 1 work item 2' failed: kernel arguments wrong"));
  EXPECT_THAT(error_of([&] { s.synchronize(); }), HasSubstr("kernel arguments wrong"));
  EXPECT_EQ(s.failure_count(), 1u);
  s.submit([&ran] { ran.fetch_add(10); });  // cleared: work runs again
  EXPECT_NO_THROW(s.synchronize());
  EXPECT_EQ(ran.load(), 11);
}

// Each CUDA call the backend makes, failing on one GPU: the stream fails with the call named.
TEST_P(CudaErrorsTest, AFailingCudaCallNamesItselfTheDeviceAndTheStream) {
  struct Case {
    const char* call;
    int device;
    const char* message;
  };
  for (const Case& c : {
           Case{"cudaLaunchHostFunc", 0,
                "operation 'gpu0 stream 0 work item 1' failed: cudaLaunchHostFunc failed on "
                "gpu0 stream 0: fake error (error 2)"},
           Case{"cudaSetDevice", 1,
                "operation 'gpu1 stream 0 work item 1' failed: cudaSetDevice failed on gpu1 "
                "stream 0: fake error (error 2)"},
       }) {
    fake_.configure(2, c.call, c.device, 2);
    Stream& s = gpu(static_cast<std::size_t>(c.device)).stream(0);
    std::atomic<bool> ran{false};
    s.submit([&ran] { ran.store(true); });
    EXPECT_EQ(error_of([&] { s.synchronize(); }), c.message);
    EXPECT_GE(s.failure_count(), 1u);
    fake_.configure(2);
    EXPECT_NO_THROW(s.synchronize()) << c.call;  // the error was cleared
  }
}

TEST_P(CudaErrorsTest, AFailedRecordCompletesItsEventWithTheFailure) {
  for (const char* call : {"cudaEventCreate", "cudaEventRecord", "cudaLaunchHostFunc"}) {
    fake_.configure(2, call, 0, 2);
    Stream& s = gpu(0).stream(3);
    Event event = record_on(s);
    ASSERT_EQ(event.wait_for(60s), WaitStatus::done);
    const std::string expected = std::string(
                                     "operation 'gpu0 stream 3 record after work item 0' "
                                     "failed: ") +
                                 call + " failed on gpu0 stream 3: fake error (error 2)";
    EXPECT_EQ(error_of([&] { event.wait(); }), expected);
    EXPECT_EQ(error_of([&] { s.synchronize(); }), expected);
    fake_.configure(2);
    EXPECT_NO_THROW(s.synchronize()) << call;
  }
}

TEST_P(CudaErrorsTest, SynchronizeReportsItsOwnFailedLaunchAndClearsIt) {
  fake_.configure(2, "cudaLaunchHostFunc", 1, 2);
  Stream& s = gpu(1).stream(2);
  EXPECT_EQ(error_of([&] { s.synchronize(); }),
            "operation 'gpu1 stream 2 record after work item 0' failed: cudaLaunchHostFunc "
            "failed on gpu1 stream 2: fake error (error 2)");
  fake_.configure(2);
  EXPECT_NO_THROW(s.synchronize());
}

TEST_P(CudaErrorsTest, AFailedGpuEdgeFailsTheWaitingStream) {
  // The producer's failure reaches the consumer through the GPU-side edge's mark.
  std::atomic<bool> consumer_ran{false};
  gpu(0).stream(0).submit([] { throw std::logic_error("bad tensor"); });
  Event produced = record_on(gpu(0).stream(0));
  gpu(1).stream(0).wait(produced);
  gpu(1).stream(0).submit([&] { consumer_ran.store(true); });
  EXPECT_THAT(error_of([&] { gpu(1).stream(0).synchronize(); }),
              HasSubstr("'gpu0 stream 0 work item 1' failed: bad tensor"));
  EXPECT_FALSE(consumer_ran.load());
  EXPECT_EQ(gpu(1).stream(0).failure_count(), 0u);  // the failure is the producer's
  EXPECT_THROW(gpu(0).synchronize(), OperationFailed);
}

TEST_P(CudaErrorsTest, WaitsFallBackToTheHostWhenARecordIsNotOnTheGpu) {
  fake_.configure(2, "cudaEventRecord", 0, 2);
  Event produced = record_on(gpu(0).stream(0));
  gpu(1).stream(0).wait(produced);
  EXPECT_THAT(error_of([&] { gpu(1).stream(0).synchronize(); }),
              HasSubstr("cudaEventRecord failed on gpu0 stream 0"));
  EXPECT_EQ(fake_.calls("cudaStreamWaitEvent"), 0);
  EXPECT_THROW(gpu(0).stream(0).synchronize(), OperationFailed);
}

TEST_P(CudaErrorsTest, AFailedGpuWaitFailsTheWaitingStream) {
  fake_.configure(2, "cudaStreamWaitEvent", 1, 2);
  test::Gate gate;  // holds the record back on the GPU, so that the wait is a GPU edge
  Event produced = hold_gpu(gpu(0).stream(0), gate);
  gpu(1).stream(0).wait(produced);
  Event waited = record_on(gpu(1).stream(0));
  ASSERT_EQ(waited.wait_for(60s), WaitStatus::done);  // failed while the producer is held
  gate.open.store(true);
  EXPECT_EQ(error_of([&] { gpu(1).stream(0).synchronize(); }),
            "operation 'gpu1 stream 0 wait after work item 0' failed: cudaStreamWaitEvent "
            "failed on gpu1 stream 0: fake error (error 2)");
  EXPECT_NO_THROW(gpu(0).synchronize());
}

TEST_P(CudaErrorsTest, MemoryNamesTheDeviceAndTheFailingCall) {
  for (const char* call : {"cudaGetDevice", "cudaSetDevice", "cudaMemGetInfo"}) {
    fake_.configure(2, call, -1, 2);
    EXPECT_EQ(error_of([&] { (void)gpu(1).memory(); }),
              std::string("gpu1: ") + call + " failed: fake error (error 2)");
  }
}

TEST_P(CudaErrorsTest, DestructionWaitsForWorkStillOnTheGpu) {
  test::Gate gate;
  std::atomic<bool> kernel_done{false};
  submit_kernel(gpu(0).stream(0), [&] {
    gate.pass();
    kernel_done.store(true);
  });
  std::thread opener([&] {
    if (eventually([&] { return gate.reached.load(); })) gate.open.store(true);
  });
  gpus_.devices.clear();  // returns once the kernel and its completion are done
  EXPECT_TRUE(kernel_done.load());
  EXPECT_EQ(fake_.live_streams(), 0);
  opener.join();
  EXPECT_FALSE(gate.timed_out.load());
}

TEST_P(CudaErrorsTest, DestructionOnAWorkerHelpsInsteadOfBlocking) {
  // With one worker, the destroying job must run the completions itself.
  test::Gate gate;
  Event held = hold_gpu(gpu(1).stream(2), gate);
  std::thread opener([&] { gate.open.store(true); });
  RunHandle destroy = executor_.submit({.name = "destroy"}, [this] { gpus_.devices.clear(); });
  test::finish_within(destroy);
  opener.join();
  EXPECT_TRUE(held.query());
  EXPECT_EQ(fake_.live_streams(), 0);
}

INSTANTIATE_TEST_SUITE_P(Workers, CudaErrorsTest, test::k_cuda_worker_counts,
                         test::cuda_worker_name);

}  // namespace
}  // namespace neat

#endif  // NEAT_HAVE_CUDA_LOADER
