# Warning policy: -Wall -Wextra everywhere, -Werror when QUORUM_WERROR=ON (CI).
set(QUORUM_WARNING_FLAGS -Wall -Wextra -Wnon-virtual-dtor -Wswitch)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND QUORUM_WARNING_FLAGS -Wshadow=local)  # GCC only; clang (fuzz builds) lacks it
endif()
if(QUORUM_WERROR)
  list(APPEND QUORUM_WARNING_FLAGS -Werror)
endif()

# Applies the project's warning flags to a target we own (never to third-party code).
function(quorum_warnings target)
  target_compile_options(${target} PRIVATE ${QUORUM_WARNING_FLAGS})
endfunction()
