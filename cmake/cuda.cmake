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

# cuBLAS and cuDNN for the library paths (matmul, conv2d) are not linked: kernels/cuda/dynamic_library.cuh opens
# them when a GPU first needs them, so CPU runs never map them. Only their headers are needed here:
# TAPEFLOW_CUDNN_INCLUDE_DIR for the .cu files (cuBLAS's come with the toolkit). cuDNN may live in the toolkit,
# under CUDNN_ROOT, or only inside the Python wheel nvidia-cudnn-cu13 (the lent GPU machines): all are searched.
if(TAPEFLOW_HAS_CUDA)
  set(_tapeflow_cudnn_hints ${CUDAToolkit_LIBRARY_ROOT} $ENV{CUDNN_ROOT})
  find_package(Python3 COMPONENTS Interpreter QUIET)
  if(Python3_Interpreter_FOUND)
    execute_process(
      COMMAND ${Python3_EXECUTABLE} -c "import nvidia.cudnn, os; print(os.path.dirname(nvidia.cudnn.__file__))"
      OUTPUT_VARIABLE _tapeflow_cudnn_wheel OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    list(APPEND _tapeflow_cudnn_hints ${_tapeflow_cudnn_wheel})
  endif()
  find_path(TAPEFLOW_CUDNN_INCLUDE_DIR cudnn.h HINTS ${_tapeflow_cudnn_hints} ${CUDAToolkit_INCLUDE_DIRS}
            PATH_SUFFIXES include)
  if(NOT TAPEFLOW_CUDNN_INCLUDE_DIR)
    message(FATAL_ERROR "tapeflow: the CUDA backend needs cuDNN 9's headers (cudnn.h); set CUDNN_ROOT, "
                        "install nvidia-cudnn-cu13, or configure with -DTAPEFLOW_CUDA=OFF")
  endif()
  message(STATUS "tapeflow: cuDNN headers ${TAPEFLOW_CUDNN_INCLUDE_DIR}")
endif()
