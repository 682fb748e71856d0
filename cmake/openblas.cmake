# OpenBLAS in its OpenMP build (Debian: libopenblas-openmp-dev). The pthread build fights OpenMP
# for the cores, so we look for the OpenMP variant's header directory first.
find_path(OPENBLAS_INCLUDE_DIR cblas.h
  PATHS /usr/include/x86_64-linux-gnu/openblas-openmp /usr/include/aarch64-linux-gnu/openblas-openmp
        /usr/include/openblas
  NO_DEFAULT_PATH)
find_path(OPENBLAS_INCLUDE_DIR cblas.h)
find_library(OPENBLAS_LIBRARY NAMES openblas
  PATHS /usr/lib/x86_64-linux-gnu/openblas-openmp /usr/lib/aarch64-linux-gnu/openblas-openmp
  NO_DEFAULT_PATH)
find_library(OPENBLAS_LIBRARY NAMES openblas)
if(NOT OPENBLAS_INCLUDE_DIR OR NOT OPENBLAS_LIBRARY)
  message(FATAL_ERROR "OpenBLAS not found: run `make deps` (installs libopenblas-openmp-dev)")
endif()
if(NOT TARGET tapeflow_openblas)
  add_library(tapeflow_openblas INTERFACE)
  target_include_directories(tapeflow_openblas INTERFACE ${OPENBLAS_INCLUDE_DIR})
  target_link_libraries(tapeflow_openblas INTERFACE ${OPENBLAS_LIBRARY})
endif()
message(STATUS "tapeflow: OpenBLAS ${OPENBLAS_LIBRARY}")
