# cmake -DLIBRARY=<file> -P check_cuda_links.cmake: fails unless ldd shows that <file> links the
# shared CUDA runtime (libcudart.so) and not the driver library (libcuda.so). Used by ctest and
# scripts/gpu-tests.sh. [resources.cuda.kernels]
execute_process(COMMAND ldd "${LIBRARY}" OUTPUT_VARIABLE _ldd RESULT_VARIABLE _status)
if(NOT _status EQUAL 0)
  message(FATAL_ERROR "ldd ${LIBRARY} failed (${_status})")
endif()
if(_ldd MATCHES "libcuda\\.so")
  message(FATAL_ERROR "${LIBRARY} links the CUDA driver library libcuda:\n${_ldd}")
endif()
if(NOT _ldd MATCHES "libcudart\\.so")
  message(FATAL_ERROR "${LIBRARY} does not link the shared CUDA runtime libcudart:\n${_ldd}")
endif()
message(STATUS "${LIBRARY}: links libcudart, not libcuda")
