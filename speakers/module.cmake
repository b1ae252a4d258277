# speakers/: one library per sub-module.

# rsconform::routeserver: the reference route server's pure core (config, profile, engine).
file(GLOB routeserver_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/routeserver/*.cpp)
rsconform_add_module(routeserver SOURCES ${routeserver_sources}
                     DEPS rsconform::wire nlohmann_json::nlohmann_json
                     INCLUDE_ROOT ${PROJECT_SOURCE_DIR})

# rsconform::daemons: configs, launchers and process control for real route-server daemons
# (BIRD 2, FRR bgpd) used as targets and in integration tests.
file(GLOB daemons_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/daemons/*.cpp)
rsconform_add_module(daemons SOURCES ${daemons_sources} DEPS rsconform::wire
                     INCLUDE_ROOT ${PROJECT_SOURCE_DIR})
