# `cmake --install` layout: headers under include/tapeflow, static libraries, and a package config so that
# other projects can find_package(tapeflow) and link tapeflow::tapeflow.
include(CMakePackageConfigHelpers)
install(DIRECTORY include/tapeflow DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS tapeflow tapeflow_io tapeflow_engine tapeflow_kernels tapeflow_openblas EXPORT tapeflowTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT tapeflowTargets NAMESPACE tapeflow:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tapeflow)
configure_package_config_file(cmake/tapeflowConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/tapeflowConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tapeflow)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/tapeflowConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/tapeflowConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/tapeflowConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tapeflow)
