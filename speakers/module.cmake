# speakers/: one library per sub-module.

# rsconform::routeserver: the reference route server's pure core (config, profile, engine).
file(GLOB routeserver_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/routeserver/*.cpp)
rsconform_add_module(routeserver SOURCES ${routeserver_sources}
                     DEPS rsconform::table rsconform::wire rsconform::topology rsconform::json
                          rsconform::session nlohmann_json::nlohmann_json
                     INCLUDE_ROOT ${PROJECT_SOURCE_DIR})

# rsconform::daemons: configs, launchers and process control for real route-server daemons
# (BIRD 2, FRR bgpd, GoBGP, OpenBGPD) used as targets and in integration tests.
file(GLOB daemons_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/daemons/*.cpp)
rsconform_add_module(daemons SOURCES ${daemons_sources} DEPS rsconform::wire rsconform::routeserver
                     INCLUDE_ROOT ${PROJECT_SOURCE_DIR})

# rsconform::speakers: fake speakers (sessions + Adj-RIB-In), bulk injection, scripts, roles.
# captures: the MRT reader, for bulk_announce from a TABLE_DUMP_V2 RIB.
file(GLOB speakers_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/speaker/*.cpp
     ${CMAKE_CURRENT_SOURCE_DIR}/script/*.cpp ${CMAKE_CURRENT_SOURCE_DIR}/roles/*.cpp)
rsconform_add_module(speakers SOURCES ${speakers_sources}
                     DEPS rsconform::session rsconform::rib rsconform::captures rsconform::topology rsconform::json
                          nlohmann_json::nlohmann_json
                          Boost::headers Threads::Threads
                     INCLUDE_ROOT ${PROJECT_SOURCE_DIR})
