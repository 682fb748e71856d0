# Warnings for our own C++ targets; CUDA gets the host-compiler flags through -Xcompiler.
function(tapeflow_warnings target)
  target_compile_options(${target} PRIVATE
    # Keras-style options structs are meant to be partly filled with designated initializers.
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow=local -Wno-missing-field-initializers>
    $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<BOOL:${TAPEFLOW_WERROR}>>:-Werror>
    # GCC 12 raises false -Wrestrict alarms inside std::string concatenation (fixed in GCC 13).
    $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>
    $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-Wextra>
    $<$<AND:$<COMPILE_LANGUAGE:CUDA>,$<BOOL:${TAPEFLOW_WERROR}>>:-Werror=all-warnings>)
endfunction()
