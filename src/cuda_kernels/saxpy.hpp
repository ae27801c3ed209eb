// neat_cuda_kernels: GPU kernels launched on a stream that neatsched hands to work
// (neat::current_cuda_stream()). The header needs no CUDA header; link neat_cuda_kernels, which
// exists only where nvcc built it. [resources.cuda.kernels]
//
//   stream.submit([=] {
//     if (int e = neat::cuda_kernels::saxpy(n, 2.0f, x, y, neat::current_cuda_stream()); e != 0)
//       throw std::runtime_error("saxpy launch failed: CUDA error " + std::to_string(e));
//   });
#pragma once

#include <cstddef>

namespace neat::cuda_kernels {

/// Enqueue y[i] = a * x[i] + y[i] for every i < n on `stream` (a cudaStream_t; nullptr: the
/// default stream) of the calling thread's current device; `x` and `y` are device memory of
/// that device. Never blocks. Returns 0 once enqueued, else the launch's cudaError_t.
int saxpy(std::size_t n, float a, const float* x, float* y, void* stream);

}  // namespace neat::cuda_kernels
