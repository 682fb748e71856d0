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

# cuBLAS and cuDNN for the library paths (matmul, conv2d): TAPEFLOW_CUDA_LIBRARIES to link (imported targets
# and a path, so that they export with tapeflow::kernels), TAPEFLOW_CUDNN_INCLUDE_DIR for the .cu files.
# Static cuBLAS when the toolkit has it. cuDNN may live in the toolkit, under CUDNN_ROOT, or only inside the
# Python wheel nvidia-cudnn-cu13 (the lent GPU machines): all are searched.
if(TAPEFLOW_HAS_CUDA)
  if(TARGET CUDA::cublas_static AND TARGET CUDA::cublasLt_static)
    set(TAPEFLOW_CUDA_LIBRARIES CUDA::cublas_static CUDA::cublasLt_static)
  else()
    set(TAPEFLOW_CUDA_LIBRARIES CUDA::cublas CUDA::cublasLt)
  endif()

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
  find_library(TAPEFLOW_CUDNN_LIBRARY NAMES cudnn libcudnn.so.9 HINTS ${_tapeflow_cudnn_hints} ${CUDAToolkit_LIBRARY_DIR}
               PATH_SUFFIXES lib lib64)
  if(NOT TAPEFLOW_CUDNN_INCLUDE_DIR OR NOT TAPEFLOW_CUDNN_LIBRARY)
    message(FATAL_ERROR "tapeflow: the CUDA backend needs cuDNN 9 (cudnn.h and libcudnn); set CUDNN_ROOT, "
                        "install nvidia-cudnn-cu13, or configure with -DTAPEFLOW_CUDA=OFF")
  endif()
  list(APPEND TAPEFLOW_CUDA_LIBRARIES ${TAPEFLOW_CUDNN_LIBRARY})
  message(STATUS "tapeflow: cuDNN ${TAPEFLOW_CUDNN_LIBRARY}")
endif()
