# cmake -DROOT=<repo> -P check_banned.cmake
# Fails if engine/core reaches for time, threads, I/O, randomness, exceptions or hash containers,
# or if sim/ or engine/check (the judges the simulator and the fuzzers share) reads wall time or
# an unseeded source or uses a hash container. Pure CMake so a fresh Debian needs no Python.
set(core_banned_includes chrono thread mutex atomic random fstream filesystem iostream cstdio ctime
    condition_variable future unordered_map unordered_set sys/socket.h unistd.h)
set(core_banned_regex
    "[^a-z_:]rand\\(" "(^|[^a-z_.>])time\\(" "getenv" "(^|[^a-z_])throw[ ;(]" "(^|[^a-z_])try {" "catch \\(" "FIXME"
    "random_device" "system_clock" "steady_clock" "this_thread")
set(sim_banned_regex "unordered_map" "unordered_set" "random_device" "system_clock" "steady_clock"
    "high_resolution_clock" "this_thread" "std::rand\\(")

set(failures "")
file(GLOB_RECURSE core_files ${ROOT}/engine/core/*.h ${ROOT}/engine/core/*.cc)
foreach(f ${core_files})
  if(f MATCHES "_test\\.cc$")
    continue()  # tests of the core may use the standard library freely
  endif()
  file(STRINGS ${f} lines)
  set(n 0)
  foreach(line IN LISTS lines)
    math(EXPR n "${n}+1")
    foreach(inc ${core_banned_includes})
      if(line MATCHES "#include *<${inc}>")
        string(APPEND failures "${f}:${n}: engine/core may not include <${inc}>\n")
      endif()
    endforeach()
    foreach(re ${core_banned_regex})
      if(line MATCHES "${re}" AND NOT line MATCHES "^ *//")
        string(APPEND failures "${f}:${n}: engine/core may not use '${re}': ${line}\n")
      endif()
    endforeach()
    if(line MATCHES "^ +static [a-zA-Z_:<>]+ [a-z_]+ *[=;{]" AND NOT line MATCHES "constexpr|const ")
      string(APPEND failures "${f}:${n}: engine/core may not hold a function-local static: ${line}\n")
    endif()
  endforeach()
endforeach()

file(GLOB_RECURSE sim_files ${ROOT}/sim/*.h ${ROOT}/sim/*.cc ${ROOT}/engine/check/*.h
     ${ROOT}/engine/check/*.cc)
foreach(f ${sim_files})
  file(STRINGS ${f} lines)
  set(n 0)
  foreach(line IN LISTS lines)
    math(EXPR n "${n}+1")
    foreach(re ${sim_banned_regex})
      if(line MATCHES "${re}" AND NOT line MATCHES "^ *//")
        string(APPEND failures "${f}:${n}: sim/ may not use '${re}' (determinism): ${line}\n")
      endif()
    endforeach()
  endforeach()
endforeach()

if(failures)
  # Printed raw: message(FATAL_ERROR) would re-wrap the lines.
  execute_process(COMMAND ${CMAKE_COMMAND} -E echo "${failures}")
  message(FATAL_ERROR "banned constructs found (listed above)")
endif()
message(STATUS "check_banned: engine/core, engine/check and sim/ are clean")
