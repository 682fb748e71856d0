# CUDA is optional: with nvcc present (and TAPEFLOW_CUDA=ON) the CUDA sources compile and link;
# otherwise the engine is CPU-only with the same API.
set(TAPEFLOW_HAS_CUDA OFF)
if(TAPEFLOW_CUDA)
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 90)  # H100/H200; override with -DCMAKE_CUDA_ARCHITECTURES=...
    endif()
    enable_language(CUDA)
    set(CMAKE_CUDA_STANDARD 17)  # CMake 3.25 knows no CUDA20 flag for nvcc; .cu files stay C++17
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
    find_package(CUDAToolkit REQUIRED)
    set(TAPEFLOW_HAS_CUDA ON)
  else()
    message(STATUS "tapeflow: nvcc not found, building the CPU-only engine")
  endif()
endif()
message(STATUS "tapeflow: CUDA backend ${TAPEFLOW_HAS_CUDA}")
