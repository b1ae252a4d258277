# captures/: capture file reading and writing, link layers, IP/TCP decoding, TCP reassembly.
# libpcap and zlib (gzip-compressed captures and MRT files open transparently) are used only here.
file(GLOB captures_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
find_package(ZLIB REQUIRED)
rsconform_add_module(captures SOURCES ${captures_sources}
                     DEPS rsconform::wire PkgConfig::PCAP ZLIB::ZLIB INCLUDE_ROOT ${PROJECT_SOURCE_DIR})
