// y = a * x + y on the GPU, one grid-stride loop. [resources.cuda.kernels]
#include <cuda_runtime.h>

#include "saxpy.hpp"

namespace neat::cuda_kernels {
namespace {

__global__ void saxpy_kernel(std::size_t n, float a, const float* x, float* y) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    y[i] = a * x[i] + y[i];
  }
}

}  // namespace

int saxpy(std::size_t n, float a, const float* x, float* y, void* stream) {
  if (n == 0) return cudaSuccess;
  constexpr unsigned k_threads = 256;
  constexpr std::size_t k_max_blocks = 4096;  // the grid-stride loop covers the rest
  const std::size_t wanted = (n + k_threads - 1) / k_threads;
  const auto blocks = static_cast<unsigned>(wanted < k_max_blocks ? wanted : k_max_blocks);
  saxpy_kernel<<<blocks, k_threads, 0, static_cast<cudaStream_t>(stream)>>>(n, a, x, y);
  return static_cast<int>(cudaGetLastError());
}

}  // namespace neat::cuda_kernels
