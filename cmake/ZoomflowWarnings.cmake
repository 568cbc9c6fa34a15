# Warnings on for our own targets; identical floating-point results on every backend need
# multiply-add contraction off (GCC contracts by default outside strict ISO mode).
add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-ffp-contract=off>)

function(zoomflow_target_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic>)
endfunction()
