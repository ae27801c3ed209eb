#!/usr/bin/env bash
# The GPU tests, on a machine with an NVIDIA GPU, its driver and the CUDA toolkit: configures a
# build with nvcc and explicit architectures, builds the CUDA kernels (src/cuda_kernels), the
# CUDA device tests and the kernel tests, checks that the kernel library links the CUDA runtime
# and not libcuda, then runs the real-GPU tests (which must run, not skip) and the stand-in
# runtime's tests. Works from a clean checkout.
#   CUDA_HOME                toolkit root (default /usr/local/cuda)
#   NEAT_CUDA_ARCHITECTURES  e.g. "90" for an H100 (default "80;90"; never native or all)
#   NEAT_GPU_BUILD_DIR       build directory (default build/gpu)
#   NEAT_GPU_ALLOW_SKIP=1    accept skipped GPU tests (to check the script where no GPU is)
set -euo pipefail
cd "$(dirname "$0")/.."

cuda_home=${CUDA_HOME:-/usr/local/cuda}
archs=${NEAT_CUDA_ARCHITECTURES:-80;90}
build=${NEAT_GPU_BUILD_DIR:-build/gpu}
jobs=$(nproc)

if [ ! -x "$cuda_home/bin/nvcc" ]; then
  echo "gpu-tests.sh: no nvcc at $cuda_home/bin/nvcc (set CUDA_HOME)" >&2
  exit 2
fi
scripts/install-deps.sh
if command -v nvidia-smi >/dev/null; then nvidia-smi -L || true; fi

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNEAT_BUILD_TESTS=ON \
  -DNEAT_BUILD_BENCHMARKS=OFF -DNEAT_WARNINGS_AS_ERRORS=ON -DNEAT_CUDA=ON \
  -DCMAKE_CUDA_COMPILER="$cuda_home/bin/nvcc" -DNEAT_CUDA_ARCHITECTURES="$archs" >/dev/null
cmake --build "$build" -j "$jobs" \
  --target neat_cuda_kernels neat_gpu_tests neat_core_tests neat_resources_tests neat_fake_cudart
cmake -DLIBRARY="$build/src/cuda_kernels/libneat_cuda_kernels.so" \
  -P tests/gpu/check_cuda_links.cmake

log="$build/gpu-tests.log"
status=0
if ! {
  failed=0
  "$build/tests/neat_gpu_tests" || failed=1
  "$build/tests/neat_core_tests" --gtest_filter='RealGpu*' || failed=1
  "$build/tests/neat_resources_tests" --gtest_filter='CudaLoader.*' || failed=1
  "$build/tests/neat_core_tests" --gtest_filter='*Cuda*' --gtest_brief=1 || failed=1
  exit "$failed"
} 2>&1 | tee "$log"; then
  status=1
fi
if grep -q "no CUDA GPU:" "$log"; then
  grep -m1 "no CUDA GPU:" "$log" >&2
  if [ "${NEAT_GPU_ALLOW_SKIP:-0}" != 1 ]; then
    echo "gpu-tests.sh: the GPU tests skipped (see above); NEAT_GPU_ALLOW_SKIP=1 accepts that" >&2
    exit 1
  fi
fi
[ "$status" -eq 0 ] || { echo "gpu-tests.sh: failures (log: $log)" >&2; exit 1; }
echo "gpu-tests.sh: passed (log: $log)"
