// GPUs of detect_hardware(). [resources.gpu] This is the seam for CUDA: a build with CUDA
// (NEAT_CUDA, not yet an option) will list cudaGetDeviceCount() devices with their name and
// cudaMemGetInfo() memory here, and turn any CUDA error into no GPUs plus the error text.
#include "hardware_backends.hpp"

namespace neat::detail {

GpuReport detect_gpus() {
  return {{}, "built without CUDA support"};
}

}  // namespace neat::detail
