# Warning policy: -Wall -Wextra everywhere, -Werror when QUORUM_WERROR=ON (CI).
set(QUORUM_WARNING_FLAGS -Wall -Wextra -Wshadow=local -Wnon-virtual-dtor -Wswitch)
if(QUORUM_WERROR)
  list(APPEND QUORUM_WARNING_FLAGS -Werror)
endif()

# Applies the project's warning flags to a target we own (never to third-party code).
function(quorum_warnings target)
  target_compile_options(${target} PRIVATE ${QUORUM_WARNING_FLAGS})
endfunction()
