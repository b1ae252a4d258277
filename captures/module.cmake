# captures/: capture file reading and writing, link layers, IP/TCP decoding, TCP reassembly.
# libpcap is used only here. zlib is optional: with it, gzip-compressed captures open transparently.
file(GLOB captures_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
find_package(ZLIB REQUIRED)  # gzip captures and MRT files
set(captures_deps PkgConfig::PCAP)
if(ZLIB_FOUND)
  list(APPEND captures_deps ZLIB::ZLIB)
endif()
rsconform_add_module(captures SOURCES ${captures_sources} DEPS rsconform::wire ${captures_deps}
                     INCLUDE_ROOT ${PROJECT_SOURCE_DIR})
if(ZLIB_FOUND)
  target_compile_definitions(rsconform_captures PRIVATE RSCONFORM_CAPTURES_HAVE_ZLIB=1)
endif()
