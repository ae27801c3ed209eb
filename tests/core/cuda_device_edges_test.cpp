// Edges between streams on the CUDA device backend (stand-in runtime): an event recorded on a
// GPU stream is waited for on the GPU (cudaStreamWaitEvent, no host round trip), on the same
// GPU or another; CPU-stream and not-yet-recorded events park the host queue instead; CPU
// streams wait for GPU events; CUDA events are pooled.
#include <gtest/gtest.h>

#if defined(NEAT_HAVE_CUDA_LOADER)

#include <mutex>
#include <string>
#include <vector>

#include "neat/core/cpu_device.hpp"
#include "core/cuda_device_support.hpp"

namespace neat {
namespace {

using namespace std::chrono_literals;
using test::eventually;
using test::Gate;

class CudaEdgesTest : public test::CudaDeviceTest {
 protected:
  /// What the fake GPU ran, in the order it ran it (stream threads append).
  void ran(const std::string& what) {
    const std::lock_guard<std::mutex> lock(mutex_);
    ran_.push_back(what);
  }
  std::vector<std::string> ran_list() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return ran_;
  }

  std::mutex mutex_;
  std::vector<std::string> ran_;
};

TEST_P(CudaEdgesTest, GpuEventsAreWaitedForOnTheGpu) {
  for (std::size_t consumer_device : {0u, 1u}) {  // the same GPU, then another one
    ran_.clear();
    Gate gate;
    Stream& producer = gpu(0).stream(0);
    Stream& consumer = gpu(consumer_device).stream(1);
    submit_kernel(producer, [&] {
      gate.pass();
      ran("producer");
    });
    Event ready = record_on(producer);
    const long gpu_waits = fake_.calls("cudaStreamWaitEvent");
    std::atomic<bool> consumer_enqueued{false};
    consumer.wait(ready);
    consumer.submit([&] {
      ASSERT_EQ(fake_.launch(current_cuda_stream(), [&] { ran("consumer"); }), 0);
      consumer_enqueued.store(true);
    });
    // The consumer's host side went on while the producer's GPU work is still held back: the
    // edge is on the GPU.
    ASSERT_TRUE(eventually([&] { return consumer_enqueued.load(); })) << consumer_device;
    EXPECT_FALSE(ready.query());
    EXPECT_EQ(fake_.calls("cudaStreamWaitEvent"), gpu_waits + 1);
    gate.open.store(true);
    consumer.synchronize();
    producer.synchronize();
    EXPECT_EQ(ran_list(), (std::vector<std::string>{"producer", "consumer"})) << consumer_device;
    EXPECT_FALSE(gate.timed_out.load());
  }
}

TEST_P(CudaEdgesTest, AWaitResumesOnceTheRecordIsOnTheGpu) {
  // The producer's host queue is parked before its record, so the consumer (most often) meets a
  // record that is not on the GPU yet; it becomes a GPU edge once the producer gets there. The
  // gate keeps the event incomplete until then, so the edge is on the GPU either way.
  CpuDevice cpu(executor_, {.streams = 1});
  Gate gate;
  Event go(executor_);
  Stream& producer = gpu(0).stream(0);
  producer.wait(go);
  submit_kernel(producer, [&] {
    gate.pass();
    ran("producer");
  });
  Event ready = record_on(producer);
  Stream& consumer = gpu(1).stream(0);
  consumer.wait(ready);
  submit_kernel(consumer, [&] { ran("consumer"); });
  cpu.stream(0).record(go);
  ASSERT_TRUE(eventually([&] { return fake_.calls("cudaStreamWaitEvent") == 1; }));
  gate.open.store(true);
  consumer.synchronize();
  producer.synchronize();
  EXPECT_EQ(ran_list(), (std::vector<std::string>{"producer", "consumer"}));
  EXPECT_FALSE(gate.timed_out.load());
}

TEST_P(CudaEdgesTest, CpuAndUnrecordedEventsParkTheHostQueue) {
  CpuDevice cpu(executor_, {.streams = 1});
  Event loaded(executor_);  // not recorded yet
  Stream& stream = gpu(1).stream(3);
  std::atomic<bool> cpu_done{false};
  std::atomic<bool> seen_by_gpu_work{false};
  stream.wait(loaded);
  stream.submit([&] { seen_by_gpu_work.store(cpu_done.load()); });
  EXPECT_EQ(stream.pending(), 2u);
  cpu.stream(0).submit([&] { cpu_done.store(true); });
  cpu.stream(0).record(loaded);
  stream.synchronize();
  EXPECT_TRUE(seen_by_gpu_work.load());
  EXPECT_EQ(fake_.calls("cudaStreamWaitEvent"), 0);  // a host-side edge
}

TEST_P(CudaEdgesTest, CpuStreamsWaitForGpuEvents) {
  CpuDevice cpu(executor_, {.streams = 1});
  Gate gate;
  std::atomic<int> value{0};
  submit_kernel(gpu(0).stream(2), [&] {
    gate.pass();
    value.store(1);
  });
  Event computed = record_on(gpu(0).stream(2));
  std::atomic<int> seen{-1};
  cpu.stream(0).wait(computed);
  cpu.stream(0).submit([&] { seen.store(value.load()); });
  ASSERT_TRUE(eventually([&] { return gate.reached.load(); }));
  EXPECT_EQ(seen.load(), -1);
  gate.open.store(true);
  cpu.synchronize();
  EXPECT_EQ(seen.load(), 1);
}

TEST_P(CudaEdgesTest, ACompletedEventNeedsNoEdge) {
  Event done = record_on(gpu(0).stream(0));
  ASSERT_EQ(done.wait_for(60s), WaitStatus::done);
  std::atomic<bool> ran_after{false};
  gpu(1).stream(0).wait(done);
  gpu(1).stream(0).submit([&] { ran_after.store(true); });
  gpu(1).stream(0).synchronize();
  EXPECT_TRUE(ran_after.load());
  EXPECT_EQ(fake_.calls("cudaStreamWaitEvent"), 0);
}

TEST_P(CudaEdgesTest, CudaEventsArePooled) {
  constexpr int k_rounds = 50;
  for (int r = 0; r < k_rounds; ++r) {
    Event ready = record_on(gpu(0).stream(r % 2));
    gpu(0).stream(2 + r % 2).wait(ready);
    gpu(0).synchronize();
  }
  EXPECT_GE(fake_.calls("cudaEventRecord"), k_rounds);
  // Each round's event goes back to the pool once complete; a completion job running late
  // (a loaded machine) may make another one now and then.
  EXPECT_LE(fake_.calls("cudaEventCreate"), k_rounds / 2);
  EXPECT_EQ(fake_.live_events(), fake_.calls("cudaEventCreate"));
  gpus_.devices.clear();
  EXPECT_EQ(fake_.live_events(), 0);  // destroyed with their device
}

INSTANTIATE_TEST_SUITE_P(Workers, CudaEdgesTest, test::k_cuda_worker_counts,
                         test::cuda_worker_name);

}  // namespace
}  // namespace neat

#endif  // NEAT_HAVE_CUDA_LOADER
