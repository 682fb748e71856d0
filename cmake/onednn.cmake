# oneDNN (Debian: libdnnl-dev) as the CPU backend of conv2d and the dense GEMM, where bench/kernel_bench shows
# its AVX-512 kernels beat im2col + OpenBLAS (which OPENBLAS_CORETYPE=Haswell holds to AVX2). Optional: with
# TAPEFLOW_ONEDNN=OFF, or when the library is missing, kernels/cpu/conv.cpp (im2col + OpenBLAS) is built instead.
# Found by path like OpenBLAS (the package's own dnnl-config.cmake demands OpenCL, which a CPU build never uses).
find_path(TAPEFLOW_ONEDNN_INCLUDE_DIR dnnl.hpp)
find_library(TAPEFLOW_ONEDNN_LIBRARY NAMES dnnl)
set(_tapeflow_onednn_found OFF)
if(TAPEFLOW_ONEDNN_INCLUDE_DIR AND TAPEFLOW_ONEDNN_LIBRARY)
  set(_tapeflow_onednn_found ON)
endif()
option(TAPEFLOW_ONEDNN "Use oneDNN for the CPU conv2d and GEMM (default: ON when libdnnl-dev is found)"
       ${_tapeflow_onednn_found})
if(TAPEFLOW_ONEDNN AND NOT _tapeflow_onednn_found)
  message(FATAL_ERROR "TAPEFLOW_ONEDNN=ON but oneDNN was not found: run `make deps` (installs libdnnl-dev)")
endif()
if(TAPEFLOW_ONEDNN AND NOT TARGET tapeflow_onednn)
  # Imported by absolute path; tapeflowConfig.cmake defines the same target for installed consumers.
  add_library(tapeflow_onednn UNKNOWN IMPORTED GLOBAL)
  set_target_properties(tapeflow_onednn PROPERTIES IMPORTED_LOCATION ${TAPEFLOW_ONEDNN_LIBRARY}
                                                   INTERFACE_INCLUDE_DIRECTORIES ${TAPEFLOW_ONEDNN_INCLUDE_DIR})
endif()
message(STATUS "tapeflow: oneDNN ${TAPEFLOW_ONEDNN} (${TAPEFLOW_ONEDNN_LIBRARY})")
