# Project-wide helpers: one place for warnings, sanitizers and test registration.

set(RSCONFORM_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
                       -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual)

# Applies the project's warnings (and -Werror when asked) to one target.
function(rsconform_warnings target)
  target_compile_options(${target} PRIVATE ${RSCONFORM_WARNINGS})
  if(RSCONFORM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# rsconform_add_module(NAME SOURCES ... DEPS ... [INCLUDE_ROOT dir])
# Builds library rsconform_<NAME> with ALIAS rsconform::<NAME>.
function(rsconform_add_module name)
  cmake_parse_arguments(ARG "" "INCLUDE_ROOT" "SOURCES;DEPS" ${ARGN})
  add_library(rsconform_${name} STATIC ${ARG_SOURCES})
  add_library(rsconform::${name} ALIAS rsconform_${name})
  if(NOT ARG_INCLUDE_ROOT)
    set(ARG_INCLUDE_ROOT ${PROJECT_SOURCE_DIR}/harness)
  endif()
  target_include_directories(rsconform_${name} PUBLIC ${ARG_INCLUDE_ROOT})
  target_compile_features(rsconform_${name} PUBLIC cxx_std_20)
  target_link_libraries(rsconform_${name} PUBLIC ${ARG_DEPS})
  rsconform_warnings(rsconform_${name})
endfunction()

# rsconform_add_test(NAME SOURCES ... DEPS ... [LABELS ...] [TIMEOUT s])
# One gtest executable, its cases discovered into ctest.
function(rsconform_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT;RESOURCE_LOCK" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    RSCONFORM_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    RSCONFORM_BINARY_DIR="${PROJECT_BINARY_DIR}")
  rsconform_warnings(${name})
  gtest_discover_tests(${name}
    PROPERTIES TIMEOUT ${ARG_TIMEOUT}
    DISCOVERY_TIMEOUT 60)
  # Labels are set after discovery: gtest_discover_tests(PROPERTIES LABELS a;b)
  # would keep only the first one (the list is flattened into its arguments).
  set(labels_script ${CMAKE_CURRENT_BINARY_DIR}/${name}_labels.cmake)
  file(WRITE ${labels_script}
       "foreach(test IN LISTS ${name}_TESTS)\n"
       "  set_tests_properties(\"\${test}\" PROPERTIES LABELS \"${ARG_LABELS}\")\n"
       "endforeach()\n")
  # Cases that share addresses or ports run one at a time, also under ctest -j.
  if(ARG_RESOURCE_LOCK)
    file(APPEND ${labels_script}
         "foreach(test IN LISTS ${name}_TESTS)\n"
         "  set_tests_properties(\"\${test}\" PROPERTIES RESOURCE_LOCK ${ARG_RESOURCE_LOCK})\n"
         "endforeach()\n")
  endif()
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${labels_script})
endfunction()

# rsconform_add_tests_per_file(PREFIX p [SHARED src...] DEPS ... [LABELS ...] [TIMEOUT s])
# One test executable <p>_<stem> per *_test.cpp of the calling folder (each
# with the SHARED sources), so a half-written test never blocks the others.
function(rsconform_add_tests_per_file)
  cmake_parse_arguments(ARG "" "PREFIX;TIMEOUT" "SHARED;DEPS;LABELS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cpp)
  set(timeout_args)
  if(ARG_TIMEOUT)
    set(timeout_args TIMEOUT ${ARG_TIMEOUT})
  endif()
  foreach(source ${sources})
    get_filename_component(stem ${source} NAME_WE)
    rsconform_add_test(${ARG_PREFIX}_${stem} SOURCES ${source} ${ARG_SHARED}
                       DEPS ${ARG_DEPS} LABELS ${ARG_LABELS} ${timeout_args})
  endforeach()
endfunction()
