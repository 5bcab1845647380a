# cmake -DROOT=<repo> -P check_layering.cmake
# Reads every project #include and fails on an edge the layering table forbids
# (docs/decisions/0001-layering.md). The CMake link graph enforces the same edges a second time.
set(allow_engine/core "engine/core")
# The shared judges (engine/check/CMakeLists.txt): core only, so the fuzzers and core-level tests
# use them without the simulator.
set(allow_engine/check "engine/core;engine/check")
set(allow_engine/wire "engine/core;engine/wire")
set(allow_engine/host "engine/core;engine/wire;engine/host")
set(allow_adapters "engine;adapters")
set(allow_sim "engine;sim")

set(failures "")
foreach(layer engine/core engine/check engine/wire engine/host adapters sim)
  file(GLOB_RECURSE files ${ROOT}/${layer}/*.h ${ROOT}/${layer}/*.cc)
  foreach(f ${files})
    if(f MATCHES "(_test\\.cc|_test_util\\.h)$")
      continue()  # test code: may use test support (engine/host/memory) from any layer
    endif()
    file(STRINGS ${f} includes REGEX "^#include \"")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE "^#include \"([^\"]+)\".*" "\\1" path "${line}")
      if(NOT path MATCHES "/")
        continue()  # generated or same-folder headers
      endif()
      set(ok FALSE)
      foreach(prefix ${allow_${layer}})
        string(FIND "${path}" "${prefix}/" pos)
        if(pos EQUAL 0)
          set(ok TRUE)
        endif()
      endforeach()
      if(NOT ok)
        string(APPEND failures "${f}: ${layer} may not include \"${path}\"\n")
      endif()
    endforeach()
  endforeach()
endforeach()

# Private headers: the core's Node internals (and the raft tests' harness that exposes them) are
# included only inside engine/core/raft; everyone else uses node.h and engine/host/memory's
# CoreCluster. Test files count too: quorum-bench or a test elsewhere reaching node_impl.h is the
# edge this rule exists for.
set(private_headers "engine/core/raft/node_impl.h" "engine/core/raft/raft_test_util.h")
file(GLOB_RECURSE all_sources ${ROOT}/*.h ${ROOT}/*.cc)
foreach(f ${all_sources})
  if(f MATCHES "^${ROOT}/(engine/core/raft/|build|tools/lint/testdata/)")
    continue()
  endif()
  file(STRINGS ${f} includes REGEX "^#include \"")
  foreach(line IN LISTS includes)
    foreach(h ${private_headers})
      if(line MATCHES "^#include \"${h}\"")
        string(APPEND failures "${f}: only engine/core/raft may include \"${h}\"\n")
      endif()
    endforeach()
  endforeach()
endforeach()

# Sources belong to their folder's targets: a CMakeLists.txt (or .cmake file) that compiles a
# source file of another folder by path (${CMAKE_SOURCE_DIR}/..., ${PROJECT_SOURCE_DIR}/...,
# ../...) makes a second, unchecked copy of that code's dependencies; link the library that
# folder builds instead (fuzz/ once compiled tools/quorumd/config_file.cc this way).
file(GLOB_RECURSE cmake_files ${ROOT}/CMakeLists.txt ${ROOT}/*.cmake)
foreach(f ${cmake_files})
  if(f MATCHES "^${ROOT}/(build[^/]*/|tools/lint/testdata/)")
    continue()
  endif()
  get_filename_component(folder ${f} DIRECTORY)
  file(STRINGS ${f} lines)
  set(line_no 0)
  foreach(line IN LISTS lines)
    math(EXPR line_no "${line_no} + 1")
    string(REGEX REPLACE "#.*$" "" code "${line}")
    string(REGEX MATCHALL
      "(\\$\\{(CMAKE_|PROJECT_)SOURCE_DIR\\}|\\$\\{CMAKE_CURRENT_SOURCE_DIR\\}/\\.\\.|\\.\\.)/[^ \t\")]*\\.(cc|cpp|cxx|c)([ \t\")]|$)"
      refs "${code}")
    foreach(ref IN LISTS refs)
      string(REGEX REPLACE "[ \t\")]$" "" ref "${ref}")
      string(REGEX REPLACE "^\\$\\{(CMAKE_|PROJECT_)SOURCE_DIR\\}" "${ROOT}" resolved "${ref}")
      string(REGEX REPLACE "^\\$\\{CMAKE_CURRENT_SOURCE_DIR\\}" "${folder}" resolved "${resolved}")
      if(resolved MATCHES "^\\.\\.")
        set(resolved "${folder}/${resolved}")
      endif()
      cmake_path(NORMAL_PATH resolved)
      string(FIND "${resolved}" "${folder}/" pos)
      if(NOT pos EQUAL 0)
        file(RELATIVE_PATH rel_f ${ROOT} ${f})
        string(APPEND failures
          "${rel_f}:${line_no}: compiles ${ref}, a source of another folder: link its library\n")
      endif()
    endforeach()
  endforeach()
endforeach()

if(failures)
  # Printed raw: message(FATAL_ERROR) would re-wrap the lines.
  execute_process(COMMAND ${CMAKE_COMMAND} -E echo "${failures}")
  message(FATAL_ERROR "layering violations (listed above)")
endif()
message(STATUS "check_layering: all includes respect the layering table")
