# TAPEFLOW_STATIC_BUNDLE: executables that run on a machine with none of Debian's libraries — the lent GPU
# machine of `make gpu-check` (bench/gpu_check.sh). OpenBLAS, libgfortran, libquadmath, libgomp, zlib, protobuf,
# libpng, TurboJPEG, libstdc++ and libgcc are linked statically and fmt is compiled header-only, so an
# executable needs only glibc, the CUDA driver and, on first GPU use, cuBLAS/cuDNN (opened at run time), which the
# GPU machine has in its CUDA toolkit or its Python nvidia-* wheels. CUDA's runtime is already static
# (CUDA::cudart_static). Included after cuda.cmake and before the find_package calls that it steers.
option(TAPEFLOW_STATIC_BUNDLE "Link Debian's libraries statically into every executable (make gpu-check's bundle)" OFF)
if(NOT TAPEFLOW_STATIC_BUNDLE)
  return()
endif()

set(ZLIB_USE_STATIC_LIBS ON)
set(Protobuf_USE_STATIC_LIBS ON)  # FindProtobuf then picks libprotobuf-lite.a (io: tf.train.Example)
find_library(PNG_LIBRARY_RELEASE NAMES libpng16.a)  # FindPNG takes it (io: decode_png)
set(TAPEFLOW_TURBOJPEG libjpeg-turbo::turbojpeg-static)  # io: decode_jpeg, encode_jpeg
find_library(OPENBLAS_LIBRARY NAMES libopenblas.a
  PATHS /usr/lib/x86_64-linux-gnu/openblas-openmp /usr/lib/aarch64-linux-gnu/openblas-openmp NO_DEFAULT_PATH)

# Debian ships fmt only as a shared library: compile it into every object instead. --as-needed then drops
# libfmt.so, which nothing references any more.
find_package(fmt REQUIRED)
set_target_properties(fmt::fmt PROPERTIES INTERFACE_COMPILE_DEFINITIONS FMT_HEADER_ONLY=1)

# The static archives of GCC's runtime libraries that OpenBLAS (Fortran LAPACK, OpenMP) and our loops need.
set(_tapeflow_static_runtime)
foreach(_lib gomp gfortran quadmath)
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=lib${_lib}.a
                  OUTPUT_VARIABLE _path OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT IS_ABSOLUTE "${_path}")
    message(FATAL_ERROR "TAPEFLOW_STATIC_BUNDLE: ${CMAKE_CXX_COMPILER} has no lib${_lib}.a (found '${_path}')")
  endif()
  list(APPEND _tapeflow_static_runtime ${_path})
endforeach()
# FindOpenMP would link libgomp.so by its full path: hand it the archive. Every executable also gets the
# archives last on its link line (after libopenblas.a, which needs them); the shared copies that -fopenmp
# and OpenBLAS would add are then unreferenced and dropped by --as-needed.
list(GET _tapeflow_static_runtime 0 OpenMP_gomp_LIBRARY)
set(OpenMP_gomp_LIBRARY ${OpenMP_gomp_LIBRARY} CACHE FILEPATH "libgomp, static for the bundle" FORCE)
string(JOIN " " _tapeflow_static_runtime_flags ${_tapeflow_static_runtime})
set(CMAKE_CXX_STANDARD_LIBRARIES "${CMAKE_CXX_STANDARD_LIBRARIES} ${_tapeflow_static_runtime_flags}")
set(CMAKE_CUDA_STANDARD_LIBRARIES "${CMAKE_CUDA_STANDARD_LIBRARIES} ${_tapeflow_static_runtime_flags}")
add_link_options($<$<LINK_LANGUAGE:CXX,CUDA>:-static-libstdc++> $<$<LINK_LANGUAGE:CXX,CUDA>:-static-libgcc>
                 -Wl,--as-needed)
message(STATUS "tapeflow: static bundle: ${OPENBLAS_LIBRARY} ${_tapeflow_static_runtime}")
