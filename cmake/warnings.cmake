# Warnings for our own C++ targets; CUDA gets the host-compiler flags through -Xcompiler.
function(tapeflow_warnings target)
  target_compile_options(${target} PRIVATE
    # Keras-style options structs are meant to be partly filled with designated initializers.
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow=local -Wno-missing-field-initializers>
    $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<BOOL:${TAPEFLOW_WERROR}>>:-Werror>
    $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-Wextra>
    $<$<AND:$<COMPILE_LANGUAGE:CUDA>,$<BOOL:${TAPEFLOW_WERROR}>>:-Werror=all-warnings>)
endfunction()
