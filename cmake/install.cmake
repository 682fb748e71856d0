# `cmake --install` layout: public headers under include/tapeflow, static libraries, and a package config so
# that other projects can `find_package(tapeflow)` and link `tapeflow::tapeflow` (see tests/consumer/).
# The exported names match the in-tree aliases: tapeflow::tapeflow, tapeflow::engine, tapeflow::kernels, ...
include(CMakePackageConfigHelpers)
set(TAPEFLOW_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/tapeflow)

install(DIRECTORY include/tapeflow DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(_tapeflow_export_targets tapeflow tapeflow_io tapeflow_engine tapeflow_kernels tapeflow_openblas)
foreach(_t tapeflow_models)  # libraries that later issues add; exported once they exist
  if(TARGET ${_t})
    list(APPEND _tapeflow_export_targets ${_t})
  endif()
endforeach()
foreach(_t IN LISTS _tapeflow_export_targets)
  string(REGEX REPLACE "^tapeflow_" "" _name ${_t})
  set_target_properties(${_t} PROPERTIES EXPORT_NAME ${_name})
endforeach()

install(TARGETS ${_tapeflow_export_targets} EXPORT tapeflowTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT tapeflowTargets NAMESPACE tapeflow:: DESTINATION ${TAPEFLOW_INSTALL_CMAKEDIR})

# Where the build found the CUDA toolkit, handed to the config as a hint for find_dependency(CUDAToolkit).
set(TAPEFLOW_CUDA_TOOLKIT_ROOT "")
if(TAPEFLOW_HAS_CUDA AND CUDAToolkit_BIN_DIR)
  get_filename_component(TAPEFLOW_CUDA_TOOLKIT_ROOT ${CUDAToolkit_BIN_DIR} DIRECTORY)
endif()
configure_package_config_file(cmake/tapeflowConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/tapeflowConfig.cmake
  INSTALL_DESTINATION ${TAPEFLOW_INSTALL_CMAKEDIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/tapeflowConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/tapeflowConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/tapeflowConfigVersion.cmake
  DESTINATION ${TAPEFLOW_INSTALL_CMAKEDIR})
