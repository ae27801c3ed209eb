// GPUs of detect_hardware(). [resources.gpu] With NEAT_CUDA=AUTO or ON the CUDA runtime is
// loaded at run time (cuda_runtime_loader.hpp) and asked for cudaGetDeviceCount() devices with
// their name and cudaMemGetInfo() memory; any failure (no runtime, a missing symbol, a CUDA
// error) gives no GPUs and the reason. With NEAT_CUDA=OFF the loader is compiled out.
#include "hardware_backends.hpp"

#if defined(NEAT_HAVE_CUDA_LOADER)
#include "cuda_runtime_loader.hpp"
#endif

namespace neat {

bool cuda_available() noexcept {
#if defined(NEAT_HAVE_CUDA_LOADER)
  return true;
#else
  return false;
#endif
}

namespace detail {

GpuReport detect_gpus() {
#if defined(NEAT_HAVE_CUDA_LOADER)
  const CudaLoad load = load_cuda_runtime(cuda_runtime_candidates());
  if (!load.runtime) return {{}, load.error};
  return list_cuda_gpus(*load.runtime);
#else
  return {{}, "built without CUDA support"};
#endif
}

}  // namespace detail
}  // namespace neat
