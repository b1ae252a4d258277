# speakers/: one library per sub-module.

# rsconform::routeserver: the reference route server's pure core (config, profile, engine).
file(GLOB routeserver_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/routeserver/*.cpp)
rsconform_add_module(routeserver SOURCES ${routeserver_sources}
                     DEPS rsconform::wire nlohmann_json::nlohmann_json
                     INCLUDE_ROOT ${PROJECT_SOURCE_DIR})
