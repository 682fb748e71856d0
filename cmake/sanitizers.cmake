# TAPEFLOW_SANITIZE=ON: every C++ target of ours compiled and linked with AddressSanitizer (with LeakSanitizer)
# and UndefinedBehaviorSanitizer, for `make test-asan` (scripts/test-asan.sh). A UBSan finding aborts the
# program instead of printing and going on, so that it fails its test.
option(TAPEFLOW_SANITIZE "Build with AddressSanitizer + UndefinedBehaviorSanitizer (scripts/test-asan.sh)" OFF)

if(TAPEFLOW_SANITIZE)
  # nvcc's device code cannot be instrumented, and the CUDA runtime's driver mappings upset ASan.
  if(TAPEFLOW_HAS_CUDA)
    message(FATAL_ERROR "tapeflow: TAPEFLOW_SANITIZE=ON needs -DTAPEFLOW_CUDA=OFF")
  endif()
  set(TAPEFLOW_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  # GCC's -Wmaybe-uninitialized misfires on instrumented code (its manual says so); the normal build checks it.
  add_compile_options(${TAPEFLOW_SANITIZE_FLAGS} -Wno-maybe-uninitialized)
  add_link_options(${TAPEFLOW_SANITIZE_FLAGS})
  # Instrumented static libraries need the sanitizer runtimes in whatever links them, outside projects too
  # (tests/consumer/ links the installed tapeflow::tapeflow): the umbrella target, defined last, carries them.
  cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR}
                 CALL target_link_options tapeflow INTERFACE ${TAPEFLOW_SANITIZE_FLAGS})
  message(STATUS "tapeflow: AddressSanitizer + UndefinedBehaviorSanitizer ON")
endif()
